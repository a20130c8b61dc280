# pg-url.sh: sourced by pg-backup.sh and db-maintenance.sh from their own directory,
# shipped beside them in the same ConfigMap. Defines no globals until called; POSIX sh.
#
# split_database_url URL: sets $dbname to URL without its password and exports PGPASSWORD with
# the password, percent-decoded (RFC 3986) as libpq decodes it, so the password is never a
# command-line argument (/proc/<pid>/cmdline is readable by every process in the container). The
# user info is found as libpq finds it: up to the first `@` before the first `/` after `://`. A URL
# without a password, in key=value form, or with `?password=` is left as it is.

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

split_database_url() {
  dbname=$1
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
      ;;
  esac
}
