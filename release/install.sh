#!/bin/sh
# Установка ReGate {{version}} (Linux x64) из распакованного архива regate-{{version}}-linux-x64.tar.gz.
#
#   sudo ./install.sh                       # /opt/regate, /etc/regate, /var/lib/regate, служба systemd
#   ./install.sh --prefix /tmp/x --no-systemd   # без прав root: всё внутри /tmp/x
#
# Параметры:
#   --prefix DIR      куда ставить программу (по умолчанию /opt/regate)
#   --config-dir DIR  каталог regate.yaml (по умолчанию /etc/regate; с --prefix — DIR/etc)
#   --data-dir DIR    каталог базы и журналов (по умолчанию /var/lib/regate; с --prefix — DIR/data)
#   --user NAME       пользователь службы (по умолчанию regate; создаётся вместе со службой)
#   --no-systemd      не устанавливать службу systemd
#   --node PATH       какой node запускать (по умолчанию найденный в PATH)
set -eu

here=$(cd "$(dirname "$0")" && pwd)
prefix=/opt/regate
config_dir=
data_dir=
user=regate
systemd=yes
node=

die() { echo "install.sh: $*" >&2; exit 1; }

while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) [ $# -ge 2 ] || die "--prefix: нужен каталог"; prefix=$2; prefix_given=yes; shift 2 ;;
    --prefix=*) prefix=${1#*=}; prefix_given=yes; shift ;;
    --config-dir) config_dir=$2; shift 2 ;;
    --data-dir) data_dir=$2; shift 2 ;;
    --user) user=$2; shift 2 ;;
    --no-systemd) systemd=no; shift ;;
    --node) node=$2; shift 2 ;;
    -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "неизвестный параметр $1 (справка: ./install.sh --help)" ;;
  esac
done

case "$prefix" in /*) ;; *) prefix="$(pwd)/$prefix" ;; esac
if [ "${prefix_given:-}" = yes ]; then
  : "${config_dir:=$prefix/etc}"
  : "${data_dir:=$prefix/data}"
else
  : "${config_dir:=/etc/regate}"
  : "${data_dir:=/var/lib/regate}"
fi

# Node.js 20: the native SQLite module in node_modules is built for Node 20's ABI (NODE_MODULE_VERSION 115).
[ -n "$node" ] || node=$(command -v node || true)
[ -n "$node" ] || die "Node.js не найден. Нужен Node.js 20.18 или новее из ветки 20: см. docs/ru/install-node.md"
version=$("$node" -p 'process.versions.node' 2>/dev/null) || die "$node не запускается"
major=${version%%.*}
minor=${version#*.}; minor=${minor%%.*}
if [ "$major" != 20 ] || [ "$minor" -lt 18 ]; then
  die "нужен Node.js 20.18+ из ветки 20, а найден $version ($node). Как поставить: docs/ru/install-node.md"
fi

is_root=no
[ "$(id -u)" = 0 ] && is_root=yes
if [ "$systemd" = yes ] && [ "$is_root" = no ]; then
  die "служба systemd ставится от root (sudo ./install.sh) или укажите --no-systemd"
fi

echo "ReGate {{version}} → $prefix (конфигурация $config_dir, данные $data_dir, Node.js $version)"

# Program files: copied beside and swapped, so an upgrade never leaves half of the old and half of the new.
mkdir -p "$prefix/bin"
rm -rf "$prefix/app.new"
mkdir -p "$prefix/app.new"
cp -R "$here/app/." "$prefix/app.new/"
if [ -d "$prefix/app" ]; then rm -rf "$prefix/app.old"; mv "$prefix/app" "$prefix/app.old"; fi
mv "$prefix/app.new" "$prefix/app"
rm -rf "$prefix/app.old"

cat > "$prefix/bin/regate" <<EOF
#!/bin/sh
# ReGate {{version}}: compiled JavaScript, run by Node.js 20.
exec "$node" "$prefix/app/dist/cli/regate.js" "\$@"
EOF
chmod 755 "$prefix/bin/regate"
# For units written by `regate install` (ExecStart=node <prefix>/bin/regate.mjs ...): the same compiled program.
cat > "$prefix/bin/regate.mjs" <<EOF
// ReGate {{version}}: runs the compiled program (dist/cli/regate.js); no TypeScript at start.
await import('$prefix/app/dist/cli/regate.js');
EOF

# The service user exists for the service: without systemd whoever runs ReGate owns its files.
if [ "$systemd" = yes ] && ! id "$user" >/dev/null 2>&1; then
  nologin=$(command -v nologin || echo /usr/sbin/nologin)
  useradd --system --home-dir "$data_dir" --no-create-home --shell "$nologin" "$user"
  echo "создан пользователь службы $user"
fi

mkdir -p "$config_dir" "$data_dir"
if [ ! -f "$config_dir/regate.yaml" ]; then
  sed -e "s|{{dataDir}}|$data_dir|g" "$here/regate.yaml" > "$config_dir/regate.yaml"
  chmod 640 "$config_dir/regate.yaml"
  echo "записан $config_dir/regate.yaml — впишите адрес и пользователя 1С"
fi
if [ "$systemd" = yes ]; then
  # The config holds the 1C password: root writes it, the service only reads it.
  chown root:"$user" "$config_dir" "$config_dir/regate.yaml"
  chmod 750 "$config_dir"
  chown "$user":"$user" "$data_dir"
  chmod 750 "$data_dir"
fi

if [ "$systemd" = yes ]; then
  sed -e "s|{{prefix}}|$prefix|g" -e "s|{{configDir}}|$config_dir|g" -e "s|{{dataDir}}|$data_dir|g" -e "s|{{user}}|$user|g" \
    "$here/regate.service" > /etc/systemd/system/regate.service
  systemctl daemon-reload
  echo "служба установлена: /etc/systemd/system/regate.service (не запущена)"
fi

"$prefix/bin/regate" --version >/dev/null || die "$prefix/bin/regate не запускается"

cat <<EOF

Готово. Дальше:
  1. $prefix/bin/regate --config $config_dir/regate.yaml check        — проверить доступ к 1С
  2. $prefix/bin/regate --config $config_dir/regate.yaml user add richest --role store
     $prefix/bin/regate --config $config_dir/regate.yaml user add admin --role admin   (веб-консоль /console)
EOF
if [ "$systemd" = yes ]; then
  echo "  3. systemctl enable --now regate ; journalctl -u regate -f"
else
  echo "  3. $prefix/bin/regate --config $config_dir/regate.yaml serve"
fi
