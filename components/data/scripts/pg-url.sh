# pg-url.sh: sourced by pg-backup.sh and db-maintenance.sh from their own directory,
# shipped beside them in the same ConfigMap. Defines no globals until called; POSIX sh.
#
# split_database_url URL: sets $dbname to URL without its password and exports PGPASSWORD with
# the password, percent-decoded (RFC 3986) as libpq decodes it, so the password is never a
# command-line argument (/proc/<pid>/cmdline is readable by every process in the container). The
# user info is found as libpq finds it: up to the first `@` before the first `/` after `://`.
# A `?password=` parameter goes to PGPASSWORD the same way.
#
# The app's URL may carry parameters libpq refuses ("invalid URI query parameter": Prisma's
# `schema`, `pgbouncer`, `connection_limit`, `pool_timeout`, ...): only libpq's own key words stay
# in $dbname (libpq_parameter below). Prisma's `schema` is kept, percent-decoded, in $url_schema
# (empty without it); the names of the others left out are in $url_dropped (never their values).
# A URL in key=value form is left as it is.

# Percent-decodes $1 into $decoded. Each byte goes through a command substitution, which would drop
# a decoded newline: the `x` after it keeps it.
pct_decode() {
  rest=$1
  decoded=''
  while [ -n "$rest" ]; do
    case "$rest" in
      %[0-9A-Fa-f][0-9A-Fa-f]*)
        hex=${rest#%}
        hex=${hex%"${hex#??}"}
        # shellcheck disable=SC2059 # the format is the escape for one byte, e.g. \100
        byte=$(printf "\\$(printf '%03o' "0x$hex")x")
        decoded=$decoded${byte%x}
        rest=${rest#%??}
        ;;
      *)
        decoded=$decoded${rest%"${rest#?}"}
        rest=${rest#?}
        ;;
    esac
  done
}

# Whether $1 is a libpq connection key word (PostgreSQL 17, "Parameter Key Words"), the list
# LIBPQ_URI_PARAMETERS in components/data/database-url.ts; tests/components/database-url.test.ts
# keeps the two equal.
libpq_parameter() {
  case "$1" in
    host | hostaddr | port | dbname | user | password | passfile | require_auth | channel_binding | \
      connect_timeout | client_encoding | options | application_name | fallback_application_name | \
      keepalives | keepalives_idle | keepalives_interval | keepalives_count | tcp_user_timeout | \
      replication | gssencmode | sslmode | sslnegotiation | sslcompression | sslcert | sslkey | \
      sslcertmode | sslpassword | sslrootcert | sslcrl | sslcrldir | sslsni | requirepeer | \
      ssl_min_protocol_version | ssl_max_protocol_version | krbsrvname | gsslib | gssdelegation | \
      service | target_session_attrs | load_balance_hosts | ssl) return 0 ;;
    *) return 1 ;;
  esac
}

split_database_url() {
  dbname=$1
  url_schema=''
  url_dropped=''
  case "$1" in
    postgres://* | postgresql://*)
      scheme=${1%%://*}
      after=${1#*://}
      authority=${after%%/*}
      case "$authority" in
        *@*)
          userinfo=${authority%%@*}
          case "$userinfo" in
            *:*)
              pct_decode "${userinfo#*:}"
              PGPASSWORD=$decoded
              export PGPASSWORD
              user=${userinfo%%:*}
              dbname="$scheme://$user@${after#*@}"
              ;;
          esac
          ;;
      esac
      # The query: libpq's parameters stay, `password` goes to PGPASSWORD, `schema` to $url_schema.
      case "$dbname" in
        *\?*)
          url_query=${dbname#*\?}
          dbname=${dbname%%\?*}
          url_kept=''
          url_ifs=$IFS
          IFS='&'
          set -f
          for url_pair in $url_query; do
            url_name=${url_pair%%=*}
            url_value=${url_pair#"$url_name"}
            url_value=${url_value#=}
            case "$url_name" in
              '') ;;
              schema)
                pct_decode "$url_value"
                url_schema=$decoded
                ;;
              password)
                pct_decode "$url_value"
                PGPASSWORD=$decoded
                export PGPASSWORD
                ;;
              *)
                if libpq_parameter "$url_name"; then
                  url_kept="$url_kept${url_kept:+&}$url_pair"
                else
                  url_dropped="$url_dropped${url_dropped:+ }$url_name"
                fi
                ;;
            esac
          done
          set +f
          IFS=$url_ifs
          dbname="$dbname${url_kept:+?$url_kept}"
          ;;
      esac
      ;;
  esac
}
