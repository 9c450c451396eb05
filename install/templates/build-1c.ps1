# Сборка ReGate.cfe и ReGate_НастройкаOData.epf из XML этого комплекта (сгенерировано regate install).
# Расширение собрано для базы: {{extensionTargetLabel}}.
# Формат выгрузки {{extensionFormat}}: загрузит платформа {{extensionPlatform}} и новее (более старая откажется).
#
# CopyBase — файловая КОПИЯ базы УТ (выгрузите .dt и загрузите в новую файловую базу), не рабочая база:
# заимствованным объектам нужна конфигурация УТ, а сборка меняет состав расширений базы.
# Запуск: powershell -ExecutionPolicy Bypass -File build-1c.ps1 -CopyBase C:\Temp\ut-copy -User Администратор -Password пароль
param(
    [string]$CopyBase = 'C:\Temp\ut-copy',
    [string]$User = 'Администратор',
    [string]$Password = ''
)
$ErrorActionPreference = 'Stop'
$v8 = '{{platformPath}}\1cv8.exe'
$here = Split-Path -Parent $MyInvocation.MyCommand.Path
$log = Join-Path $here 'build-1c.log'

function Invoke-Designer([string]$Arguments) {
    # 1cv8.exe — оконное приложение: без -Wait PowerShell не ждёт его завершения и не видит код возврата.
    $all = "DESIGNER /F `"$CopyBase`" /N `"$User`" /P `"$Password`" /DisableStartupDialogs $Arguments /Out `"$log`""
    $p = Start-Process -FilePath $v8 -ArgumentList $all -Wait -PassThru
    if ($p.ExitCode -ne 0) {
        Get-Content -Path $log -Encoding UTF8 | Write-Host
        throw "Конфигуратор завершился с кодом $($p.ExitCode), подробности: $log"
    }
}

{{#extension}}
Invoke-Designer "/LoadConfigFromFiles `"$here\onec-extension`" -Extension ReGate"
Invoke-Designer "/DumpCfg `"$here\ReGate.cfe`" -Extension ReGate"
Write-Host "Готово: $here\ReGate.cfe"
{{/extension}}
Invoke-Designer "/LoadExternalDataProcessorOrReportFromFiles `"$here\onec-epf\ReGate_НастройкаOData.xml`" `"$here\ReGate_НастройкаOData.epf`""
Write-Host "Готово: $here\ReGate_НастройкаOData.epf"
