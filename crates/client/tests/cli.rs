//! The `haulout` binary end to end: blob IDs, encode → decode with missing and corrupted files,
//! JSON output, exit codes and error messages.

use std::{
    fs,
    io::Write,
    path::Path,
    process::{Command, Output, Stdio},
};

use serde_json::Value;

fn haulout(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_haulout"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("haulout starts");
    let mut input = child.stdin.take().expect("stdin");
    // A command that fails before reading its input closes the pipe: that is not a test failure.
    if let Err(error) = input.write_all(stdin.unwrap_or_default()) {
        assert_eq!(
            error.kind(),
            std::io::ErrorKind::BrokenPipe,
            "write stdin: {error}"
        );
    }
    drop(input);
    child.wait_with_output().expect("haulout finishes")
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("utf-8")
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).expect("utf-8")
}

fn mul7(len: usize) -> Vec<u8> {
    (0..len).map(|i| ((i * 7 + 13) % 256) as u8).collect()
}

fn path(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

#[test]
fn blob_id_matches_walrus() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("regression");
    fs::write(&file, b"walrus blob id v1 regression test").expect("write");
    let out = haulout(&["blob-id", path(&file), "--n-shards", "10"], None);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "RcU82Mwf-CFkv1LaI_2qcpANwpGUuG3TMwnVzZxD2kY\n"
    );

    // Default shard count is Walrus mainnet's 1000.
    fs::write(&file, mul7(1000)).expect("write");
    let out = haulout(&["--json", "blob-id", path(&file)], None);
    assert!(out.status.success(), "{}", stderr(&out));
    let json: Value = serde_json::from_str(&stdout(&out)).expect("json");
    assert_eq!(
        json["blobId"],
        "vjW1I4jxQTArfvRus0KrpyLCWt200yXx2xEZphliUUA"
    );
    assert_eq!(
        json["rootHash"],
        "e249eae27a78c35e22dddc3bbaf20cb759dd7976f437596b066ef74e52343345"
    );
    assert_eq!(json["unencodedLength"], 1000);
    assert_eq!(json["encodingType"], "RS2");
    assert_eq!(json["nShards"], 1000);
    assert_eq!(json["symbolSize"], 2);
}

#[test]
fn blob_id_reads_standard_input() {
    let out = haulout(
        &["blob-id", "-", "--n-shards", "10"],
        Some(b"walrus blob id v1 regression test"),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "RcU82Mwf-CFkv1LaI_2qcpANwpGUuG3TMwnVzZxD2kY\n"
    );
}

#[test]
fn errors_are_one_line_with_exit_code_2() {
    let dir = tempfile::tempdir().expect("tempdir");
    let missing = dir.path().join("missing");
    let out = haulout(&["blob-id", path(&missing)], None);
    assert_eq!(out.status.code(), Some(2));
    let message = stderr(&out);
    assert!(message.starts_with("haulout: cannot read"), "{message}");
    assert_eq!(message.lines().count(), 1, "{message}");

    let out = haulout(&["blob-id", "-", "--n-shards", "3"], Some(b"x"));
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("at least 4"), "{}", stderr(&out));

    let file = dir.path().join("big");
    fs::write(&file, vec![1u8; 2_000_000]).expect("write");
    let out = haulout(&["blob-id", path(&file), "--n-shards", "10"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("exceeds the maximum"),
        "{}",
        stderr(&out)
    );

    let out = haulout(
        &[
            "decode",
            path(dir.path()),
            "--out",
            path(&dir.path().join("x")),
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("metadata.bcs"), "{}", stderr(&out));
}

#[test]
fn encode_then_decode_from_any_sufficient_subset() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = mul7(300_000);
    let input = dir.path().join("input");
    fs::write(&input, &data).expect("write");
    let slivers = dir.path().join("slivers");

    let out = haulout(
        &[
            "--json",
            "encode",
            path(&input),
            "--n-shards",
            "10",
            "--out",
            path(&slivers),
        ],
        None,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let json: Value = serde_json::from_str(&stdout(&out)).expect("json");
    assert_eq!(json["files"], 21);
    assert_eq!(fs::read_dir(&slivers).expect("dir").count(), 21);
    let blob_id = json["blobId"].as_str().expect("blob id").to_owned();
    // The files are exactly the BCS that nodes serve: secondary file of pair i is sliver n−1−i.
    let secondary = fs::read(slivers.join("secondary-0.bcs")).expect("read");
    assert_eq!(&secondary[secondary.len() - 2..], &[9, 0]);

    // All files present.
    let output = dir.path().join("output");
    let out = haulout(&["decode", path(&slivers), "--out", path(&output)], None);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(fs::read(&output).expect("read"), data);

    // Only 4 (= p) primary slivers, one of them after a corrupted one: the corrupted file is
    // skipped and reported, and the blob still comes back.
    for pair in [0, 1, 2, 3, 4, 5] {
        fs::remove_file(slivers.join(format!("primary-{pair}.bcs"))).expect("remove");
    }
    let mut corrupted = fs::read(slivers.join("primary-6.bcs")).expect("read");
    corrupted[10] ^= 0xff;
    fs::write(slivers.join("primary-6.bcs"), corrupted).expect("write");
    let out = haulout(
        &["--json", "decode", path(&slivers), "--out", path(&output)],
        None,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let json: Value = serde_json::from_str(&stdout(&out)).expect("json");
    assert_eq!(json["blobId"], blob_id.as_str());
    // 3 valid primary slivers are too few (p = 4): it falls back to the secondary slivers.
    assert_eq!(json["axis"], "secondary");
    assert_eq!(
        json["skipped"][0]["file"],
        path(&slivers.join("primary-6.bcs"))
    );
    assert!(stderr(&out).contains("skipping"), "{}", stderr(&out));
    assert_eq!(fs::read(&output).expect("read"), data);

    // Too few of either kind: a clear error, and the previous output is untouched.
    for pair in 0..4 {
        fs::remove_file(slivers.join(format!("secondary-{pair}.bcs"))).expect("remove");
    }
    let out = haulout(&["decode", path(&slivers), "--out", path(&output)], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("too few valid slivers"),
        "{}",
        stderr(&out)
    );
    assert_eq!(fs::read(&output).expect("read"), data);
}

#[test]
fn decode_to_standard_output() {
    let dir = tempfile::tempdir().expect("tempdir");
    let slivers = dir.path().join("slivers");
    let out = haulout(
        &["encode", "-", "--n-shards", "7", "--out", path(&slivers)],
        Some(b"hello walrus"),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let out = haulout(&["decode", path(&slivers), "--out", "-"], None);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(out.stdout, b"hello walrus");
}
