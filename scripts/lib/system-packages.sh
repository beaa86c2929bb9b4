# Shared by the scripts: installs a Debian package when a file it provides is missing.
# Usage: ensure_debian_packages PACKAGE:FILE [PACKAGE:FILE...]

ensure_debian_packages() {
    local missing=()
    for pair in "$@"; do
        local package=${pair%%:*} file=${pair#*:}
        [ -e "$file" ] || missing+=("$package")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "installing ${missing[*]} (needed by the build)" >&2
    local sudo=""
    [ "$(id -u)" != 0 ] && sudo="sudo"
    $sudo apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}
