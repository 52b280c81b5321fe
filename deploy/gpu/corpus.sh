# Sourced by the GPU recipes: build_corpus SOURCE DIR copies SOURCE's python files to DIR/corpus, minus every folder
# named after a held-out or dev-set package (wherever it sits, e.g. pip/_vendor/idna) and minus any file
# byte-identical to a held-out file (.gpujob/heldout.sha256), and writes what it did to DIR/corpus.txt.
EXCLUDED="graphql docker boto3 s3transfer traitlets attr attrs cryptography idna annotated_types asttokens blinker cloudpickle colorama jmespath markupsafe pyasn1 rsa wcwidth yaml"

build_corpus() {
  local source=$1 dir=$2 pattern removed=0
  rm -rf "$dir/corpus" && mkdir -p "$dir/corpus"
  pattern=$(echo $EXCLUDED | sed 's/ /|/g')
  (cd "$source" && find . -name '*.py' -type f -not -path '*/__pycache__/*' | grep -Ev "/($pattern)/" | sort > "$dir/files.txt")
  (cd "$source" && tar -cf - -T "$dir/files.txt") | tar -xf - -C "$dir/corpus"
  if [ -f .gpujob/heldout.sha256 ]; then
    (cd "$dir/corpus" && find . -name '*.py' -type f -print0 | xargs -0 sha256sum) > "$dir/corpus.sha256"
    awk 'NR==FNR { held[$1] = 1; next } ($1 in held) { sub(/^[0-9a-f]+  /, ""); print }' .gpujob/heldout.sha256 "$dir/corpus.sha256" > "$dir/removed.txt"
    removed=$(wc -l < "$dir/removed.txt")
    (cd "$dir/corpus" && tr '\n' '\0' < "$dir/removed.txt" | xargs -0 -r rm -f)
  fi
  {
    echo "source: $source"
    echo "excluded folder names: $EXCLUDED"
    echo "files copied: $(wc -l < "$dir/files.txt"); removed as identical to a held-out file: $removed"
    echo "bytes: $(du -sb "$dir/corpus" | cut -f1)"
    echo "largest top-level folders (KiB):"; du -sk "$dir/corpus"/* | sort -rn | head -40
  } > "$dir/corpus.txt"
}
