# kitchenctl's bootstrap template for Unix hosts (POSIX sh).
#
# kitchenctl puts a settings block above this text: KITCHENCTL_* variables, the proxy
# exports and a write_client_files function that writes client.rb, client.pem and the
# rest into $KITCHENCTL_CONFIG_DIR. A template of your own (--bootstrap-template) gets
# the same block; docs/bootstrap.md lists the variables.

step() {
    echo "-----> $*"
}

fail() {
    echo ">>>>>> $*" >&2
    exit 1
}

# The version the client reports ("Cinc Client: 18.4.12" → 18.4.12), or nothing.
installed_version() {
    if ! command -v "$KITCHENCTL_CLIENT" >/dev/null 2>&1; then
        return 0
    fi
    "$KITCHENCTL_CLIENT" --version 2>/dev/null | head -n 1 | awk '{ print $NF }'
}

# "latest" is satisfied by any installed client; "18" by 18 or 18.x; "18.4.12" exactly.
version_satisfies() {
    installed=$1
    wanted=$2
    [ -n "$installed" ] || return 1
    [ "$wanted" = "latest" ] && return 0
    case "$installed" in
        "$wanted" | "$wanted".*) return 0 ;;
    esac
    return 1
}

download() {
    url=$1
    file=$2
    if command -v curl >/dev/null 2>&1; then
        curl -fsSL $KITCHENCTL_CURL_OPTIONS -o "$file" "$url"
    elif command -v wget >/dev/null 2>&1; then
        wget -q $KITCHENCTL_WGET_OPTIONS -O "$file" "$url"
    elif command -v python3 >/dev/null 2>&1; then
        python3 -c 'import sys, urllib.request; urllib.request.urlretrieve(sys.argv[1], sys.argv[2])' "$url" "$file"
    else
        echo ">>>>>> curl, wget or python3 not found on this instance." >&2
        return 16
    fi
}

install_client() {
    if [ -n "$KITCHENCTL_INSTALL_COMMAND" ]; then
        sh -c "$KITCHENCTL_INSTALL_COMMAND"
        return
    fi

    download_dir=$(umask 077 && mktemp -d "${TMPDIR:-/tmp}/install.sh.XXXXXX") || return 1
    status=0
    download "$KITCHENCTL_INSTALL_URL" "$download_dir/install.sh" || status=$?
    if [ "$status" -eq 0 ]; then
        if [ "$KITCHENCTL_VERSION" = "latest" ]; then
            sh "$download_dir/install.sh" -P "$KITCHENCTL_PRODUCT" -c "$KITCHENCTL_CHANNEL" || status=$?
        else
            sh "$download_dir/install.sh" -P "$KITCHENCTL_PRODUCT" -c "$KITCHENCTL_CHANNEL" -v "$KITCHENCTL_VERSION" || status=$?
        fi
    fi
    rm -rf "$download_dir"
    return "$status"
}

if [ -n "$KITCHENCTL_PREINSTALL_COMMAND" ]; then
    step "Running the preinstall command"
    sh -c "$KITCHENCTL_PREINSTALL_COMMAND" || fail "the preinstall command failed"
fi

current=$(installed_version)
if version_satisfies "$current" "$KITCHENCTL_VERSION"; then
    step "Existing $KITCHENCTL_PRODUCT client $current satisfies version $KITCHENCTL_VERSION"
else
    step "Installing $KITCHENCTL_PRODUCT $KITCHENCTL_VERSION ($KITCHENCTL_CHANNEL; installed: ${current:-none})"
    install_client || fail "installing the client failed"
fi

write_client_files || fail "writing the client configuration to $KITCHENCTL_CONFIG_DIR failed"

step "Starting the first Chef Infra Client run..."
exec "$KITCHENCTL_CLIENT" -c "$KITCHENCTL_CONFIG_DIR/client.rb" \
    -j "$KITCHENCTL_CONFIG_DIR/first-boot.json" \
    ${KITCHENCTL_ENVIRONMENT:+-E "$KITCHENCTL_ENVIRONMENT"} \
    $KITCHENCTL_CLIENT_OPTIONS
