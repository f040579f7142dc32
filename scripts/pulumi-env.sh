# shellcheck shell=bash
# Source this file (bash or zsh) to use hostplane's offline Pulumi toolchain:
#
#   scripts/toolchain/build.sh        # once; rebuilds only what changed
#   . scripts/pulumi-env.sh
#
# It puts the binaries built by scripts/toolchain/build.sh first on PATH, points
# PULUMI_HOME at the toolchain's plugin directory, and turns off everything in the
# engine that would go to the network (update check, plugin downloads, registry
# look-ups, the Automation API's CLI version check).
#
# Using the official installer's `pulumi` instead (skips the build): install it
# (https://www.pulumi.com/docs/install/, e.g. `curl -fsSL https://get.pulumi.com | sh`
# where that site is reachable), then
#
#   HOSTPLANE_USE_SYSTEM_PULUMI=1 . scripts/pulumi-env.sh
#
# With that, the `pulumi` already on PATH (or in ~/.pulumi/bin) is used with your
# own PULUMI_HOME (default ~/.pulumi), where `pulumi plugin install` puts plugins.
#
# Variables: HOSTPLANE_TOOLCHAIN_DIR (default ~/.cache/hostplane/toolchain),
# HOSTPLANE_USE_SYSTEM_PULUMI=1. Sourcing it twice does not grow PATH.

_hp_dir="${HOSTPLANE_TOOLCHAIN_DIR:-$HOME/.cache/hostplane/toolchain}"
_hp_src=built

_hp_path_prepend() {
  case ":$PATH:" in
    *":$1:"*) ;;
    *) PATH="$1${PATH:+:$PATH}" ;;
  esac
}

if [ "${HOSTPLANE_USE_SYSTEM_PULUMI:-}" = 1 ]; then
  # Drop the built toolchain from PATH if an earlier sourcing added it.
  PATH=":$PATH:"; PATH="${PATH//:$_hp_dir\/bin:/:}"; PATH="${PATH#:}"; PATH="${PATH%:}"
  hash -r 2>/dev/null || true
  if ! command -v pulumi >/dev/null 2>&1 && [ -x "$HOME/.pulumi/bin/pulumi" ]; then
    _hp_path_prepend "$HOME/.pulumi/bin"
  fi
  if command -v pulumi >/dev/null 2>&1; then
    # Keep the installer's PULUMI_HOME (unset means ~/.pulumi); drop ours if an
    # earlier sourcing set it.
    if [ "${PULUMI_HOME:-}" = "$_hp_dir/pulumi-home" ]; then unset PULUMI_HOME; fi
    _hp_src=system
  else
    echo "pulumi-env.sh: HOSTPLANE_USE_SYSTEM_PULUMI=1 but no pulumi on PATH or in ~/.pulumi/bin; using the built toolchain" >&2
  fi
fi

if [ "$_hp_src" = built ]; then
  _hp_path_prepend "$_hp_dir/bin"
  export PULUMI_HOME="$_hp_dir/pulumi-home"
  if [ ! -x "$_hp_dir/bin/pulumi" ] || [ ! -x "$_hp_dir/bin/pulumi-language-nodejs" ]; then
    echo "pulumi-env.sh: no toolchain in $_hp_dir yet: run scripts/toolchain/build.sh" >&2
  fi
fi
HOSTPLANE_PULUMI_SOURCE="$_hp_src"
export PATH HOSTPLANE_PULUMI_SOURCE

export PULUMI_SKIP_UPDATE_CHECK=true
export PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK=true
if [ "$HOSTPLANE_PULUMI_SOURCE" = built ]; then
  # The built toolchain has every plugin; an installer's pulumi downloads its own when it can.
  export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
  export PULUMI_DISABLE_REGISTRY_RESOLVE=true
fi

unset -f _hp_path_prepend
unset _hp_dir _hp_src
