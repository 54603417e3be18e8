//! `haulout localnet` as a user runs it: it comes up, writes `localnet.json` and the keystore,
//! prints where it serves, and shuts down cleanly on Ctrl-C.

use std::{
    io::{BufRead, BufReader},
    process::{Command, Stdio},
};

mod support;

#[test]
fn localnet_starts_writes_its_files_and_stops_on_ctrl_c() {
    let dir = tempfile::tempdir().expect("tempdir");
    let port = support::free_ports(1);
    let listen = format!("127.0.0.1:{port}");
    // Three consecutive free ports for the genesis key servers.
    let key_server_port = support::free_ports(3);
    let mut child = Command::new(env!("CARGO_BIN_EXE_haulout"))
        .args([
            "localnet",
            "--fresh",
            "--accounts",
            "2",
            "--listen",
            &listen,
            "--key-server-base-port",
            &key_server_port.to_string(),
            "--data",
        ])
        .arg(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("haulout starts");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let first = lines.next().expect("a line").expect("utf-8");
    assert_eq!(first, "haulout localnet ready");
    let printed: Vec<String> = lines.by_ref().take(3).map(|l| l.expect("utf-8")).collect();
    assert!(
        printed
            .iter()
            .any(|l| l.contains(&format!("http://{listen}"))),
        "{printed:?}"
    );

    let info: serde_json::Value = serde_json::from_slice(
        &std::fs::read(dir.path().join("localnet.json")).expect("localnet.json"),
    )
    .expect("json");
    assert_eq!(info["rpcUrl"], format!("http://{listen}"));
    assert_eq!(info["accounts"].as_array().expect("accounts").len(), 2);
    let keystore: Vec<String> =
        serde_json::from_slice(&std::fs::read(dir.path().join("keystore")).expect("keystore"))
            .expect("a JSON array of keys");
    assert_eq!(keystore.len(), 2);

    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
    let exit = child.wait().expect("haulout exits");
    assert!(exit.success(), "graceful shutdown exits 0, got {exit:?}");
}
