#!/usr/bin/env bash
# Installs the real consumer clients the end-to-end tests (test/e2e) run, pinned, into .test-runtime/clients:
#   kafka/lib            the Kafka broker (KRaft) and Java client jars, from tools/test-env/kafka/pom.xml;
#   snowflake-jdbc/lib   the Snowflake JDBC driver's key-pair code, from tools/test-env/snowflake-jdbc/pom.xml;
#   classes/*            the small Java programs in test/support/java, compiled against those jars;
#   snowflake-python     a venv with snowflake-connector-python (tools/test-env/snowflake-python.lock), apart
#                        from .venv-test so its pins never meet Airflow's.
# Idempotent: each part is redone only when its inputs change (a sha256 stamp). Maven fails on a bad checksum (-C).
# Prints how long it took when it had work to do.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=.test-runtime/clients
SRC=tools/test-env
JAVA_SRC=test/support/java
mkdir -p "$ROOT"
started=$(date +%s%N)
did=()

# done_part <what> <start ns>: records a part that was (re)installed, with its time.
done_part() { local ms=$(( ($(date +%s%N) - $2) / 1000000 )); did+=("$1 $((ms / 1000)).$((ms % 1000 / 100)) s"); }

# stamp_ok <dir> <sha>: the part in <dir> was built from inputs with this sha.
stamp_ok() { [ -f "$1/.inputs-sha256" ] && [ "$(cat "$1/.inputs-sha256")" = "$2" ]; }
inputs_sha() { cat "$@" | sha256sum | cut -d' ' -f1; }

# jars <name>: copies the pinned dependencies of $SRC/<name>/pom.xml into $ROOT/<name>/lib.
jars() {
  local dir="$ROOT/$1" sha t0=$(date +%s%N) log
  sha=$(inputs_sha "$SRC/$1/pom.xml")
  stamp_ok "$dir" "$sha" && return 0
  rm -rf "$dir" && mkdir -p "$dir"
  # Maven prints only on failure with -q; its output is shown then and dropped otherwise.
  log=$(mvn -q -B -C -Dstyle.color=never -f "$SRC/$1/pom.xml" dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$PWD/$dir/lib" 2>&1) || { echo "$log"; exit 1; }
  echo "$sha" > "$dir/.inputs-sha256"
  done_part "$1 jars" "$t0"
}

# classes <name> <java file>: compiles a helper against $ROOT/<name>/lib into $ROOT/classes/<name>.
classes() {
  local dir="$ROOT/classes/$1" sha t0=$(date +%s%N)
  sha=$(inputs_sha "$SRC/$1/pom.xml" "$JAVA_SRC/$2")
  stamp_ok "$dir" "$sha" && return 0
  rm -rf "$dir" && mkdir -p "$dir"
  javac -nowarn -d "$dir" -cp "$ROOT/$1/lib/*" "$JAVA_SRC/$2"
  echo "$sha" > "$dir/.inputs-sha256"
  done_part "$1 classes" "$t0"
}

jars kafka
jars snowflake-jdbc
classes kafka KafkaScramClient.java
classes snowflake-jdbc SnowflakeJdbcKeyPair.java

VENV="$ROOT/snowflake-python"
sha=$(inputs_sha "$SRC/snowflake-python.lock")
if ! stamp_ok "$VENV" "$sha" || [ ! -x "$VENV/bin/python" ]; then
  t0=$(date +%s%N)
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --disable-pip-version-check --quiet --no-deps -r "$SRC/snowflake-python.lock"
  "$VENV/bin/pip" check --disable-pip-version-check >/dev/null || { "$VENV/bin/pip" check; exit 1; }
  echo "$sha" > "$VENV/.inputs-sha256"
  done_part "snowflake-connector-python venv" "$t0"
fi

if [ ${#did[@]} -gt 0 ]; then
  ms=$(( ($(date +%s%N) - started) / 1000000 ))
  printf 'clients.sh: installed the end-to-end clients in %d.%d s (%s).\n' $((ms / 1000)) $((ms % 1000 / 100)) "$(IFS=';'; echo "${did[*]}" | sed 's/;/; /g')"
fi
