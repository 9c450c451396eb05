# Установка ReGate {{version}} на Windows из распакованного архива regate-{{version}}-win-x64.zip.
# Запуск от администратора:  powershell -ExecutionPolicy Bypass -File .\install.ps1 [-Prefix C:\ReGate] [-NoService]
# Файл сохранён в UTF-8 с BOM: Windows PowerShell 5.1 без BOM читает его в кодировке ANSI и портит русский текст.
param(
  [string]$Prefix = 'C:\ReGate',
  [switch]$NoService,
  [string]$Node = ''
)
$ErrorActionPreference = 'Stop'
$here = Split-Path -Parent $MyInvocation.MyCommand.Path
$winsw = Get-Content (Join-Path $here 'winsw.json') -Raw | ConvertFrom-Json

function Fail($m) { Write-Host "install.ps1: $m" -ForegroundColor Red; exit 1 }

# Node.js 20: the native SQLite module is built for Node 20's ABI.
if (-not $Node) { $cmd = Get-Command node -ErrorAction SilentlyContinue; if ($cmd) { $Node = $cmd.Source } }
if (-not $Node) { Fail 'Node.js не найден. Нужен Node.js 20.18+ из ветки 20 (x64, .msi с nodejs.org): см. docs\ru\install-node.md' }
$ver = & $Node -p 'process.versions.node'
$parts = $ver.Split('.')
if ([int]$parts[0] -ne 20 -or [int]$parts[1] -lt 18) { Fail "нужен Node.js 20.18+ из ветки 20, а найден $ver ($Node)" }

$app = Join-Path $Prefix 'app'
$data = Join-Path $Prefix 'data'
$config = Join-Path $Prefix 'regate.yaml'
Write-Host "ReGate {{version}} -> $Prefix (Node.js $ver)"

New-Item -ItemType Directory -Force -Path $Prefix, (Join-Path $Prefix 'bin'), $data, (Join-Path $data 'logs') | Out-Null
if (Test-Path "$app.new") { Remove-Item -Recurse -Force "$app.new" }
Copy-Item -Recurse (Join-Path $here 'app') "$app.new"
if (Test-Path $app) { Remove-Item -Recurse -Force $app }
Move-Item "$app.new" $app

# better-sqlite3 for win32-x64: bundled when the release was built with it, otherwise built or fetched here.
$native = Join-Path $app 'node_modules\better-sqlite3\build\Release\better_sqlite3.node'
$nativePin = Join-Path $here 'sqlite-win32.json'
if ((Test-Path $native) -and (Test-Path $nativePin)) {
  $pin = Get-Content $nativePin -Raw | ConvertFrom-Json
  $got = (Get-FileHash $native -Algorithm SHA256).Hash.ToLowerInvariant()
  if ($got -ne $pin.sha256.ToLowerInvariant()) { Fail "SHA-256 модуля SQLite $native = $got, а в sqlite-win32.json $($pin.sha256)" }
}
if (-not (Test-Path $native)) {
  Write-Host 'Модуль SQLite для Windows не приложен: npm rebuild better-sqlite3 (нужен доступ в интернет к github.com или Visual Studio Build Tools)'
  Push-Location $app
  try { & npm rebuild better-sqlite3 --omit=dev; if ($LASTEXITCODE) { Fail 'npm rebuild better-sqlite3 не удался' } } finally { Pop-Location }
}

$bin = Join-Path $Prefix 'bin\regate.cmd'
Set-Content -Path $bin -Encoding ASCII -Value "@`"$Node`" `"$app\dist\cli\regate.js`" %*"
# For services written by `regate install` (node <Prefix>\bin\regate.mjs ...): the same compiled program.
$url = 'file:///' + ($app -replace '\\', '/') + '/dist/cli/regate.js'
[System.IO.File]::WriteAllText((Join-Path $Prefix 'bin\regate.mjs'), "await import('$url');`n", (New-Object System.Text.UTF8Encoding($false)))

if (-not (Test-Path $config)) {
  (Get-Content (Join-Path $here 'regate.yaml') -Raw -Encoding UTF8).Replace('{{dataDir}}', $data.Replace('\', '/')) | Set-Content -Path $config -Encoding UTF8
  icacls $config /inheritance:r /grant:r 'BUILTIN\Administrators:F' 'NT AUTHORITY\LOCAL SERVICE:R' | Out-Null
  Write-Host "записан $config — впишите адрес и пользователя 1С"
}
icacls $data /grant 'NT AUTHORITY\LOCAL SERVICE:(OI)(CI)M' | Out-Null

if (-not $NoService) {
  $exe = Join-Path $Prefix 'regate-service.exe'
  $src = Join-Path $here "WinSW-x64-$($winsw.version).exe"
  if (-not (Test-Path $src)) {
    Write-Host "Скачивается WinSW $($winsw.version): $($winsw.url)"
    Invoke-WebRequest -UseBasicParsing -Uri $winsw.url -OutFile $src
  }
  if (-not $winsw.sha256) { Fail "в winsw.json нет контрольной суммы WinSW $($winsw.version): непроверенный исполняемый файл службой не ставится" }
  $hash = (Get-FileHash $src -Algorithm SHA256).Hash.ToLowerInvariant()
  if ($hash -ne $winsw.sha256.ToLowerInvariant()) { Fail "SHA-256 файла $src = $hash, а ожидается $($winsw.sha256)" }
  Copy-Item $src $exe -Force
  $xml = (Get-Content (Join-Path $here 'regate-service.xml') -Raw -Encoding UTF8).Replace('{{node}}', $Node).Replace('{{app}}', $app).Replace('{{config}}', $config).Replace('{{data}}', $data)
  [System.IO.File]::WriteAllText((Join-Path $Prefix 'regate-service.xml'), $xml, (New-Object System.Text.UTF8Encoding($false)))
  & $exe install
  Write-Host 'Служба ReGate установлена (не запущена). Запуск: Start-Service ReGate'
}

& $bin --version | Out-Null
if ($LASTEXITCODE) { Fail "$bin не запускается" }
Write-Host ''
Write-Host 'Готово. Дальше:'
Write-Host "  1. $bin --config $config check"
Write-Host "  2. $bin --config $config user add richest --role store ;  $bin --config $config user add admin --role admin"
Write-Host '  3. Start-Service ReGate'
