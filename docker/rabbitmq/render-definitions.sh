#!/bin/sh
# Entrypoint of the rabbitmq service in docker-compose.yml (local development and trials only).
#
# Fills the ${NAME} password placeholders of /etc/rabbitmq/soknadsportalen/definitions.json in from
# this container's environment (docker-compose.yml passes them, with local-development defaults from
# .env.example), writes the result where rabbitmq.conf's load_definitions points, readable only by
# the rabbitmq user, and hands over to the image's own entrypoint.
#
# Values are restricted to URL-safe characters: the same passwords appear unescaped in the services'
# amqp:// URLs, and this keeps the substitution safe in JSON and sed.
set -eu

dir="${SP_DEFINITIONS_DIR:-/etc/rabbitmq/soknadsportalen}"
template="$dir/definitions.json"
rendered="$dir/definitions.rendered.json"

content="$(cat "$template")"
# shellcheck disable=SC2016  # the single-quoted ${...} are the literal placeholders searched for
for name in $(grep -o '\${[A-Za-z_][A-Za-z0-9_]*}' "$template" | tr -d '${}' | sort -u); do
  value="$(printenv "$name" || true)"
  if [ -z "$value" ]; then
    echo "render-definitions: $name is not set" >&2
    exit 1
  fi
  case "$value" in
    *[!A-Za-z0-9._~-]*)
      echo "render-definitions: $name may contain only letters, digits and . _ ~ -" >&2
      exit 1
      ;;
  esac
  content="$(printf '%s\n' "$content" | sed "s/\${$name}/$value/g")"
done

umask 077
printf '%s\n' "$content" > "$rendered"
chown rabbitmq:rabbitmq "$rendered"

exec docker-entrypoint.sh "$@"
