#!/usr/bin/env bash
# The lint step of action.yml: runs migsafe with the action's inputs (passed as MIGSAFE_* environment variables,
# never inline in the workflow, so that no input can inject shell code) and records its exit code in
# $GITHUB_OUTPUT instead of failing, so that the SARIF report is uploaded whatever was found.
set -uo pipefail

# Word lists split on whitespace only: `read -a` expands no glob and no variable.
read -r -d '' -a paths <<< "$MIGSAFE_PATHS" || true
read -r -d '' -a args <<< "$MIGSAFE_ARGS" || true

# The migsafe to run: the version asked for, from npm; else the action's own version, from npm when it is
# published there, else built from the action's checkout (before a version is published, or a fork's branch).
if [ -n "$MIGSAFE_VERSION" ]; then
  migsafe=(npx --yes "migsafe@$MIGSAFE_VERSION")
else
  version="$(node -p 'require(process.argv[1]).version' "$GITHUB_ACTION_PATH/package.json")"
  if [ -n "$(npm view "migsafe@$version" version 2> /dev/null)" ]; then
    migsafe=(npx --yes "migsafe@$version")
  else
    echo "::notice title=migsafe::migsafe $version is not on the npm registry: installing and building it from the action's checkout"
    if ! (cd "$GITHUB_ACTION_PATH" && npm ci --no-audit --no-fund --loglevel=error && npm run build --silent) >&2; then
      echo "::error title=migsafe::migsafe could not be built from the action's checkout ($GITHUB_ACTION_PATH)"
      echo "exit-code=2" >> "$GITHUB_OUTPUT"
      exit 0
    fi
    migsafe=(node "$GITHUB_ACTION_PATH/dist/cli.js")
  fi
fi

changed=()
if [ -n "$MIGSAFE_BASE" ]; then
  if [ "$(git rev-parse --is-shallow-repository)" = "true" ]; then
    echo "::error title=migsafe::The checkout is shallow, so git cannot find the merge base with the pull request's base: give actions/checkout fetch-depth: 0"
    echo "exit-code=2" >> "$GITHUB_OUTPUT"
    exit 0
  fi
  changed=(--changed-since "$MIGSAFE_BASE")
fi

if [ "$MIGSAFE_SARIF" = "true" ]; then
  sarif="$MIGSAFE_SARIF_FILE"
  case "$sarif" in /*) ;; *) sarif="$PWD/$sarif" ;; esac
  rm -f "$sarif"
  # Its problems (if any) are reported again by the run below.
  "${migsafe[@]}" "${changed[@]}" --format sarif --output-file "$sarif" "${args[@]}" "${paths[@]}" 2> /dev/null || true
  if [ -f "$sarif" ]; then
    echo "sarif-file=$sarif" >> "$GITHUB_OUTPUT"
  else
    echo "::warning title=migsafe::No SARIF report was written; nothing is uploaded to code scanning."
  fi
fi

format=()
if [ -n "$MIGSAFE_FORMAT" ]; then format=(--format "$MIGSAFE_FORMAT"); fi

code=0
"${migsafe[@]}" "${changed[@]}" "${format[@]}" "${args[@]}" "${paths[@]}" || code=$?
echo "exit-code=$code" >> "$GITHUB_OUTPUT"
