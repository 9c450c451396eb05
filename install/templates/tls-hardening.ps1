# Windows Server: только TLS 1.2 (и TLS 1.3, где ОС его поддерживает) для IIS и клиентов .NET.
# Сгенерировано regate install. Запуск: PowerShell от имени администратора, затем ПЕРЕЗАГРУЗКА
# (Schannel читает эти ключи только при старте системы).
#Requires -RunAsAdministrator
$ErrorActionPreference = 'Stop'
$base = 'HKLM:\SYSTEM\CurrentControlSet\Control\SecurityProviders\SCHANNEL\Protocols'

function Set-Protocol([string]$Name, [bool]$Enable) {
    foreach ($side in 'Server', 'Client') {
        $key = Join-Path $base "$Name\$side"
        New-Item -Path $key -Force | Out-Null
        New-ItemProperty -Path $key -Name 'Enabled' -PropertyType DWord -Value ([int]$Enable) -Force | Out-Null
        New-ItemProperty -Path $key -Name 'DisabledByDefault' -PropertyType DWord -Value ([int](-not $Enable)) -Force | Out-Null
    }
    Write-Host ("{0,-8} {1}" -f $Name, $(if ($Enable) { 'включён' } else { 'выключен' }))
}

# Устаревшие протоколы: выключить и на сервере (IIS), и на клиенте (исходящие соединения).
foreach ($p in 'SSL 2.0', 'SSL 3.0', 'TLS 1.0', 'TLS 1.1') { Set-Protocol $p $false }
Set-Protocol 'TLS 1.2' $true

# TLS 1.3 в Schannel есть начиная с Windows Server 2022 / Windows 11 (сборка 20348+).
$build = [int](Get-CimInstance Win32_OperatingSystem).BuildNumber
if ($build -ge 20348) { Set-Protocol 'TLS 1.3' $true } else { Write-Host "TLS 1.3  не поддерживается этой версией Windows (сборка $build), пропущен" }

# .NET Framework: системные версии TLS и стойкая криптография (иначе .NET-клиенты остаются на TLS 1.0).
foreach ($net in 'HKLM:\SOFTWARE\Microsoft\.NETFramework\v4.0.30319', 'HKLM:\SOFTWARE\Wow6432Node\Microsoft\.NETFramework\v4.0.30319',
                 'HKLM:\SOFTWARE\Microsoft\.NETFramework\v2.0.50727', 'HKLM:\SOFTWARE\Wow6432Node\Microsoft\.NETFramework\v2.0.50727') {
    New-Item -Path $net -Force | Out-Null
    New-ItemProperty -Path $net -Name 'SchUseStrongCrypto' -PropertyType DWord -Value 1 -Force | Out-Null
    New-ItemProperty -Path $net -Name 'SystemDefaultTlsVersions' -PropertyType DWord -Value 1 -Force | Out-Null
}
Write-Host '.NET     SchUseStrongCrypto=1, SystemDefaultTlsVersions=1'

# Слабые наборы шифров (RC4, 3DES, NULL, EXPORT, без PFS на CBC) — выключить, если есть модуль TLS (Server 2016+).
if (Get-Command Disable-TlsCipherSuite -ErrorAction SilentlyContinue) {
    Get-TlsCipherSuite | Where-Object { $_.Name -match 'RC4|3DES|_DES_|NULL|EXPORT' } | ForEach-Object {
        Disable-TlsCipherSuite -Name $_.Name; Write-Host "шифр выключен: $($_.Name)"
    }
}

Write-Host ''
Write-Host 'Готово. Перезагрузите сервер, затем проверьте:'
Write-Host '  openssl s_client -connect {{serverName}}:{{httpsPort}} -tls1_2   (должно подключиться)'
Write-Host '  openssl s_client -connect {{serverName}}:{{httpsPort}} -tls1_1   (должно быть отказано)'
