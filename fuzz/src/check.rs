// Shared by `fuzz/src/lib.rs` and `tests/hostile.rs`: pgx's pipeline on arbitrary input,
// with the invariants of cli.md ("Behaviour every command shares") as panics.

/// Loads `bytes` as a values file, lints it, prints the findings in every format, and when
/// nothing blocks renders and checks the output. Panics if pgx panics or breaks a promise:
/// a render that fails its own check, output that does not parse back, or a different
/// stream on a second render of the same values.
pub fn check_values(bytes: &[u8]) {
    if let Ok(text) = std::str::from_utf8(bytes) {
        check_block_reader(text);
    }
    let input = pgx::load::ValuesInput {
        files: vec!["-".to_owned()],
        set: Vec::new(),
        set_string: Vec::new(),
        max_file_size: pgx::load::DEFAULT_MAX_FILE_SIZE,
    };
    let mut stdin = bytes;
    check_input(&input, &mut stdin);
}

/// `--set` arguments over the built-in defaults, then the same pipeline. Each line of the
/// input is one argument; a line starting with `s ` is a `--set-string`.
pub fn check_set_arguments(bytes: &[u8]) {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return;
    };
    let mut input = pgx::load::ValuesInput {
        files: Vec::new(),
        set: Vec::new(),
        set_string: Vec::new(),
        max_file_size: pgx::load::DEFAULT_MAX_FILE_SIZE,
    };
    for line in text.lines().take(16) {
        match line.strip_prefix("s ") {
            Some(rest) => input.set_string.push(rest.to_owned()),
            None => input.set.push(line.to_owned()),
        }
    }
    check_input(&input, &mut std::io::empty());
}

fn check_input(input: &pgx::load::ValuesInput, stdin: &mut dyn std::io::Read) {
    let loaded = match pgx::load::load(input, stdin) {
        Ok(loaded) => loaded,
        Err(error) => {
            // Exit 2 with a message: the message must be one line.
            let message = error.to_string();
            assert!(!message.is_empty());
            assert!(
                !message.contains('\n'),
                "a load error spans lines: {message:?}"
            );
            return;
        }
    };
    let options = pgx::lint::LintOptions {
        ignore: Vec::new(),
        allow_empty: false,
    };
    let findings = pgx::lint::lint(&loaded, &options);
    for format in <pgx::report::Format as clap::ValueEnum>::value_variants() {
        let _ = pgx::report::print(*format, &findings, &loaded.sources, false);
    }
    let blocking = findings.iter().any(|f| f.blocks());
    let Some(values) = loaded.values.as_ref().filter(|_| !blocking) else {
        return;
    };
    let renderer = pgx::render::Renderer::new().expect("templates compile");
    let rendered = match renderer.render(values) {
        Ok(rendered) => rendered,
        Err(error) => panic!("values that passed lint failed to render: {error}"),
    };
    let stream = rendered.stream(&[]);
    let again = renderer.render(values).expect("second render").stream(&[]);
    assert_eq!(stream, again, "rendering is not deterministic");
    let limits = pgx::yaml::Limits::default();
    let documents = pgx::yaml::parse_stream(&stream, pgx::yaml::SourceId(0), &limits)
        .unwrap_or_else(|e| panic!("rendered output does not parse: {e}"));
    assert_eq!(documents.len(), rendered.manifests.len());
}

/// The block reader (`pgx::yaml::block`, tried before the full parser) against the full
/// parser: whatever it accepts, the full parser reads into the same tree, spans included,
/// under the default limits and under limits the text is near. Returns whether it accepted.
pub fn check_block_reader(text: &str) -> bool {
    use pgx::yaml::{block, parse_document_fully, Limits, SourceId};
    let tight = Limits {
        max_depth: 6,
        max_nodes: 40,
        ..Limits::default()
    };
    let mut accepted = false;
    for limits in [Limits::default(), tight] {
        let Some(tree) = block::read_document(text, SourceId(3), &limits) else {
            continue;
        };
        accepted = true;
        match parse_document_fully(text, SourceId(3), &limits) {
            Ok(Some(full)) => assert!(
                full == tree,
                "the block reader and the full parser read {text:?} differently:\n{full:#?}\n{tree:#?}"
            ),
            other => panic!("the block reader accepted {text:?}; the full parser: {other:?}"),
        }
    }
    accepted
}
