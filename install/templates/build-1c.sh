#!/bin/sh
# Сборка ReGate.cfe и ReGate_НастройкаOData.epf из XML этого комплекта (сгенерировано regate install).
# Расширение собрано для базы: {{extensionTargetLabel}}.
# Формат выгрузки {{extensionFormat}}: загрузит платформа {{extensionPlatform}} и новее (более старая откажется).
#
# COPY_DB — файловая КОПИЯ базы УТ (выгрузите .dt и загрузите в новую файловую базу), не рабочая база:
# заимствованным объектам нужна конфигурация УТ, а сборка меняет состав расширений базы.
# Запуск: COPY_DB=/tmp/ut-copy V8_USER=Администратор V8_PASSWORD=пароль sh build-1c.sh
set -eu
PLATFORM="{{platformPath}}"
COPY_DB="${COPY_DB:-/tmp/ut-copy}"
V8_USER="${V8_USER:-Администратор}"
V8_PASSWORD="${V8_PASSWORD:-}"
HERE="$(cd "$(dirname "$0")" && pwd)"

# Конфигуратор в пакетном режиме на Linux требует X-сервер: xvfb-run даёт виртуальный.
RUN=""
command -v xvfb-run >/dev/null 2>&1 && [ -z "${DISPLAY:-}" ] && RUN="xvfb-run -a"

designer() {
  $RUN "$PLATFORM/1cv8" DESIGNER /F "$COPY_DB" /N "$V8_USER" /P "$V8_PASSWORD" /DisableStartupDialogs "$@" /Out "$HERE/build-1c.log" || {
    echo "Конфигуратор завершился с ошибкой, подробности: $HERE/build-1c.log" >&2
    cat "$HERE/build-1c.log" >&2
    exit 1
  }
}

{{#extension}}
designer /LoadConfigFromFiles "$HERE/onec-extension" -Extension ReGate
designer /DumpCfg "$HERE/ReGate.cfe" -Extension ReGate
echo "Готово: $HERE/ReGate.cfe"
{{/extension}}
designer /LoadExternalDataProcessorOrReportFromFiles "$HERE/onec-epf/ReGate_НастройкаOData.xml" "$HERE/ReGate_НастройкаOData.epf"
echo "Готово: $HERE/ReGate_НастройкаOData.epf"
