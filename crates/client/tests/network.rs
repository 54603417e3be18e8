//! End to end, with real processes on 127.0.0.1: a local chain and ten `haulout node`
//! processes (100 shards), driven through the `haulout` CLI, its daemon and raw HTTP.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use support::{Network, http, json, pattern, wait_for};

const NODES: u16 = 10;
const SHARDS: u16 = 100;

#[test]
fn files_of_every_size_round_trip_and_blobs_can_be_managed() {
    let net = Network::start(NODES, SHARDS, "1h");
    for (name, size) in [
        ("empty", 0usize),
        ("one", 1),
        ("one-mib", 1 << 20),
        ("sixty-four-mib", 64 << 20),
    ] {
        let data = pattern(size, size as u64 + 1);
        let (blob_id, _) = net.store(name, &data, &[]);
        let back = net
            .read(&blob_id)
            .unwrap_or_else(|e| panic!("reading {name}: {e}"));
        assert!(back == data, "{name}: the bytes read back differ");
    }

    // A permanent blob with attributes: status, listing, extension.
    let data = pattern(5000, 99);
    let (blob_id, object_id) = net.store(
        "permanent",
        &data,
        &["--permanent", "--attribute", "content-type=text/plain"],
    );
    let status = net.haulout_ok(&["blob-status", &blob_id]);
    assert_eq!(
        status["status"]["permanent"]["isCertified"], true,
        "{status}"
    );
    assert_eq!(status["status"]["permanent"]["endEpoch"], 3, "{status}");
    let listed = net.haulout_ok(&["list-blobs"]);
    let mine = listed["blobs"]
        .as_array()
        .expect("blobs")
        .iter()
        .find(|b| b["objectId"] == object_id.as_str())
        .expect("the stored blob is listed")
        .clone();
    assert_eq!(mine["deletable"], false);
    assert_eq!(mine["certifiedEpoch"], 1);
    let extended = net.haulout_ok(&["extend", &object_id, "--epochs", "3"]);
    assert_eq!(extended["endEpoch"], 6);
    let out = net.haulout(&["delete", &object_id]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "a permanent blob cannot be deleted"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("permanent"));

    // A deletable blob, deleted: the nodes stop reporting it.
    let (blob_id, object_id) = net.store("deletable", &pattern(3000, 5), &[]);
    net.haulout_ok(&["delete", &object_id]);
    wait_for("the nodes to see the deletion", || {
        let out = net.haulout(&["blob-status", &blob_id]);
        out.status.code() == Some(1) && json(&out.stdout)["status"] == "nonexistent"
    });

    // Errors are one clear line and exit code 2.
    let out = net.haulout(&["read", "not-a-blob-id", "--out", "/dev/null"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("haulout: "));
    let unknown = redstuff::BlobId([7; 32]).to_string();
    let out = net.haulout(&["read", &unknown, "--out", "/dev/null"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("no storage node has valid metadata"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let info = net.haulout_ok(&["info"]);
    assert_eq!(info["nShards"], SHARDS);
    assert_eq!(info["committee"].as_array().expect("committee").len(), 10);

    // A new node: keys, then registration as a candidate (gas from the faucet).
    let config = net.path("mine/node.toml");
    let config_arg = config.display().to_string();
    let made = net.haulout_ok(&[
        "node",
        "init",
        "--config",
        &config_arg,
        "--name",
        "mine",
        "--listen",
        "127.0.0.1:0",
    ]);
    assert!(
        made["suiAddress"]
            .as_str()
            .is_some_and(|a| a.starts_with("0x"))
    );
    let out = net.haulout(&[
        "node",
        "init",
        "--config",
        &config_arg,
        "--name",
        "mine",
        "--listen",
        "127.0.0.1:0",
    ]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "init refuses to overwrite a node's keys"
    );
    let registered = net.haulout_ok(&["node", "register", "--config", &config_arg]);
    let node_id = registered["nodeId"].as_str().expect("nodeId").to_owned();
    let text = std::fs::read_to_string(&config).expect("node.toml");
    assert!(
        text.contains(&node_id),
        "the node ID is recorded in its configuration"
    );
    let staked = net.haulout_ok(&["stake", "--node", &node_id, "--amount", "1000"]);
    assert_eq!(staked["amount"], 1_000_000_000_000u64);
}

#[test]
fn the_daemon_stores_and_serves_blobs_with_ranges() {
    let net = Network::start(NODES, SHARDS, "1h");
    let port = support::free_ports(1);
    let listen = format!("127.0.0.1:{port}");
    let mut daemon = std::process::Command::new(support::HAULOUT)
        .arg("--network")
        .arg(net.network_file())
        .args(["daemon", "--listen", &listen, "--max-upload", "1000000"])
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("daemon starts");
    wait_for("the daemon", || {
        http(port, "GET", "/status", &[], b"").is_some_and(|(s, b)| s == 200 && b == b"OK")
    });
    let data = pattern(100_000, 3);
    let octet = [("Content-Type", "application/octet-stream")];
    let (status, body) = http(port, "PUT", "/v1/blobs?epochs=2", &octet, &data).expect("put");
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    let stored = json(&body);
    let created = &stored["newlyCreated"]["blobObject"];
    let blob_id = created["blobId"].as_str().expect("blobId").to_owned();
    let object_id = created["id"].as_str().expect("id").to_owned();
    assert_eq!(created["deletable"], true);
    assert_eq!(created["storage"]["endEpoch"], 3);

    let (status, body) = http(port, "GET", &format!("/v1/blobs/{blob_id}"), &[], b"").expect("get");
    assert_eq!(status, 200);
    assert!(body == data);
    let (status, body) = http(
        port,
        "GET",
        &format!("/v1/blobs/{blob_id}"),
        &[("Range", "bytes=10-19")],
        b"",
    )
    .expect("range");
    assert_eq!(status, 206);
    assert_eq!(body, data[10..20]);
    let (status, _) = http(
        port,
        "GET",
        &format!("/v1/blobs/{blob_id}"),
        &[("Range", "bytes=100000-")],
        b"",
    )
    .expect("range");
    assert_eq!(status, 416);
    let (status, body) = http(
        port,
        "GET",
        &format!("/v1/blobs/by-object-id/{object_id}"),
        &[],
        b"",
    )
    .expect("by object");
    assert_eq!(status, 200);
    assert!(body == data);

    // Too large, unknown query fields, unknown blobs, bad IDs.
    let (status, _) =
        http(port, "PUT", "/v1/blobs", &octet, &vec![0; 1_000_001]).expect("too large");
    assert_eq!(status, 413);
    let (status, _) = http(port, "PUT", "/v1/blobs?colour=red", &octet, b"x").expect("query");
    assert_eq!(status, 400);
    let unknown = redstuff::BlobId([9; 32]).to_string();
    let (status, body) =
        http(port, "GET", &format!("/v1/blobs/{unknown}"), &[], b"").expect("unknown");
    assert_eq!(status, 404);
    assert_eq!(
        json(&body)["error"]["details"][0]["reason"],
        "BLOB_NOT_FOUND"
    );
    let (status, _) = http(port, "GET", "/v1/blobs/xyz", &[], b"").expect("bad id");
    assert_eq!(status, 400);
    let _ = daemon.kill();
    let _ = daemon.wait();
}

/// Starts a proxy on `listen` in front of the node at `target` that corrupts every sliver and
/// metadata it serves (one byte in the middle), counting its lies.
fn lying_proxy(
    runtime: &tokio::runtime::Runtime,
    listen: u16,
    target: u16,
    lies: Arc<AtomicUsize>,
) {
    use axum::body::Body;
    use axum::extract::Request;
    use axum::response::Response;
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind(("127.0.0.1", listen)))
        .expect("proxy port");
    let http = reqwest::Client::new();
    let app = axum::Router::new().fallback(move |request: Request| {
        let http = http.clone();
        let lies = lies.clone();
        async move {
            let method = request.method().clone();
            let path = request
                .uri()
                .path_and_query()
                .map(|p| p.as_str().to_owned())
                .unwrap_or_default();
            let content_type = request.headers().get("content-type").cloned();
            let body = axum::body::to_bytes(request.into_body(), 256 << 20)
                .await
                .unwrap_or_default();
            let mut forward =
                http.request(method.clone(), format!("http://127.0.0.1:{target}{path}"));
            if let Some(ct) = content_type {
                forward = forward.header("content-type", ct);
            }
            let Ok(answer) = forward.body(body).send().await else {
                return Response::builder()
                    .status(502)
                    .body(Body::empty())
                    .expect("response");
            };
            let status = answer.status();
            let content_type = answer.headers().get("content-type").cloned();
            let mut bytes = answer.bytes().await.unwrap_or_default().to_vec();
            let is_data = path.contains("/slivers/") && !path.contains("/status")
                || path.ends_with("/metadata");
            if method == "GET" && status.is_success() && is_data && !bytes.is_empty() {
                let middle = bytes.len() / 2;
                bytes[middle] ^= 0x5a;
                lies.fetch_add(1, Ordering::Relaxed);
            }
            let mut response = Response::builder().status(status);
            if let Some(ct) = content_type {
                response = response.header("content-type", ct);
            }
            response.body(Body::from(bytes)).expect("response")
        }
    });
    runtime.spawn(async move { axum::serve(listener, app).await });
}

#[test]
fn stores_with_three_nodes_down_reads_with_six_down_and_ignores_liars() {
    let mut net = Network::start(NODES, SHARDS, "1h");
    for i in [1, 4, 7] {
        net.kill_node(i);
    }
    let a = pattern(1 << 20, 11);
    let (a_id, _) = net.store("a", &a, &[]);
    let b = pattern(70_000, 12);
    let (b_id, _) = net.store("b", &b, &["--permanent"]);
    for i in [1, 4, 7] {
        net.start_node(i);
    }
    for i in [1, 4, 7] {
        net.wait_healthy(i);
        wait_for(&format!("node {i} to recover what it missed"), || {
            net.node_holds(i, &a_id) && net.node_holds(i, &b_id)
        });
    }
    // Any six down: the four left hold 40 shards, more than the 34 a read needs.
    for i in [0, 2, 3, 5, 6, 8] {
        net.kill_node(i);
    }
    assert!(net.read(&a_id).expect("read a with six down") == a);
    assert!(net.read(&b_id).expect("read b with six down") == b);
    for i in [0, 2, 3, 5, 6, 8] {
        net.start_node(i);
    }
    for i in [0, 2, 3, 5, 6, 8] {
        net.wait_healthy(i);
    }

    // Three nodes lie about every sliver and metadata they serve.
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let lies = Arc::new(AtomicUsize::new(0));
    let mut blobs = vec![(a_id, a), (b_id, b)];
    for k in 0..6u64 {
        let data = pattern(20_000 + k as usize * 1000, 100 + k);
        let (id, _) = net.store(&format!("c{k}"), &data, &[]);
        blobs.push((id, data));
    }
    for i in [2, 5, 9] {
        net.kill_node(i);
        let hidden = support::free_ports(1);
        net.set_node_key(i, "listen_address", &format!("\"127.0.0.1:{hidden}\""));
        net.start_node(i);
        lying_proxy(&runtime, net.ports[i], hidden, lies.clone());
        net.wait_healthy(i);
    }
    for (id, data) in &blobs {
        let back = net
            .read(id)
            .unwrap_or_else(|e| panic!("read {id} with liars: {e}"));
        assert!(&back == data, "{id}: wrong bytes with liars");
    }
    assert!(
        lies.load(Ordering::Relaxed) > 0,
        "the liars were asked for data and lied"
    );
}

#[test]
fn killed_and_wiped_nodes_recover_every_sliver() {
    let mut net = Network::start(NODES, SHARDS, "1h");
    let first = pattern(300_000, 21);
    let (first_id, _) = net.store("first", &first, &[]);

    // SIGKILL node 3 in the middle of a 64 MiB upload.
    let big = pattern(64 << 20, 22);
    let file = net.path("big");
    std::fs::write(&file, &big).expect("write");
    let id_out = net.haulout_ok(&["blob-id", &file.display().to_string(), "--n-shards", "100"]);
    let big_id = id_out["blobId"].as_str().expect("blobId").to_owned();
    let store = std::process::Command::new(support::HAULOUT)
        .arg("--json")
        .arg("--network")
        .arg(net.network_file())
        .args(["store", &file.display().to_string()])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("store starts");
    let port = net.ports[3];
    wait_for("node 3 to receive the big blob's metadata", || {
        http(
            port,
            "GET",
            &format!("/v1/blobs/{big_id}/metadata/status"),
            &[],
            b"",
        )
        .is_some_and(|(s, b)| s == 200 && json(&b)["success"]["data"] == "stored")
    });
    net.kill_node(3);
    let out = store.wait_with_output().expect("store ends");
    assert!(
        out.status.success(),
        "the store succeeds without node 3: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    net.start_node(3);
    net.wait_healthy(3);
    wait_for("node 3 to recover the big blob", || {
        net.node_holds(3, &big_id)
    });

    // Node 5 loses its whole database.
    net.wipe_node(5);
    net.start_node(5);
    net.wait_healthy(5);
    wait_for("node 5 to rebuild everything", || {
        net.node_holds(5, &first_id) && net.node_holds(5, &big_id)
    });

    // Both recovered nodes are among the four that serve the reads.
    for i in [0, 1, 2, 4, 6, 7] {
        net.kill_node(i);
    }
    assert!(net.read(&first_id).expect("read first") == first);
    assert!(net.read(&big_id).expect("read big") == big);
}

/// `(method, path, headers, body, expected status, expected reason or "")`.
type Case<'a> = (
    &'a str,
    String,
    Vec<(&'a str, &'a str)>,
    Vec<u8>,
    u16,
    &'a str,
);

#[test]
fn malformed_requests_get_their_documented_error_and_change_nothing() {
    let net = Network::start(NODES, SHARDS, "1h");
    let port = net.ports[0];
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let client = net.client(&runtime);
    let (encoded, registration) = runtime.block_on(async {
        let encoded = client
            .encode(Arc::new(pattern(10_000, 31)))
            .await
            .expect("encode");
        let registration = client
            .register_encoded(&encoded, &haulout_client::StoreOptions::default())
            .await
            .expect("register");
        (encoded, registration)
    });
    let blob_id = encoded.metadata().blob_id().to_string();
    let octet = [("Content-Type", "application/octet-stream")];
    let metadata_bcs = bcs::to_bytes(encoded.metadata().metadata()).expect("bcs");
    let reason = |body: &[u8]| {
        json(body)["error"]["details"][0]["reason"]
            .as_str()
            .map(str::to_owned)
    };
    let shard = net.node_shards(0)[0];
    let pair = redstuff::pair_index_for_shard(encoded.metadata().blob_id(), shard, SHARDS);
    let primary = encoded.primary_sliver(pair).to_bcs();
    wait_for("node 0 to see the registration", || {
        http(
            port,
            "GET",
            &format!("/v1/blobs/{blob_id}/status"),
            &[],
            b"",
        )
        .is_some_and(|(s, b)| s == 200 && json(&b)["success"]["data"] != "nonexistent")
    });

    let unregistered = redstuff::EncodingConfig::new(SHARDS)
        .expect("config")
        .encode(&pattern(500, 32))
        .expect("encode");
    let unregistered_id = unregistered.metadata().blob_id().to_string();
    let cases: Vec<Case<'_>> = vec![
        (
            "GET",
            "/v1/blobs/not-a-blob/metadata".into(),
            vec![],
            vec![],
            400,
            "MALFORMED_REQUEST",
        ),
        (
            "PUT",
            format!("/v1/blobs/{blob_id}/metadata"),
            vec![("Content-Type", "text/plain")],
            metadata_bcs.clone(),
            400,
            "INVALID_CONTENT_TYPE",
        ),
        (
            "PUT",
            format!("/v1/blobs/{blob_id}/metadata"),
            octet.to_vec(),
            vec![1, 2, 3],
            400,
            "MALFORMED_REQUEST",
        ),
        (
            "PUT",
            format!("/v1/blobs/{blob_id}/metadata"),
            octet.to_vec(),
            vec![0; 64 << 20],
            413,
            "PAYLOAD_TOO_LARGE",
        ),
        (
            "PUT",
            format!("/v1/blobs/{unregistered_id}/metadata"),
            octet.to_vec(),
            bcs::to_bytes(unregistered.metadata().metadata()).expect("bcs"),
            400,
            "NOT_REGISTERED",
        ),
        (
            "PUT",
            format!("/v1/blobs/{blob_id}/metadata"),
            octet.to_vec(),
            bcs::to_bytes(unregistered.metadata().metadata()).expect("bcs"),
            400,
            "INVALID_METADATA",
        ),
        (
            "PUT",
            format!("/v1/blobs/{blob_id}/slivers/{pair}/tertiary"),
            octet.to_vec(),
            primary.clone(),
            400,
            "MALFORMED_REQUEST",
        ),
        (
            "PUT",
            format!("/v1/blobs/{blob_id}/slivers/{SHARDS}/primary"),
            octet.to_vec(),
            primary.clone(),
            400,
            "INDEX_OUT_OF_RANGE",
        ),
        (
            "GET",
            format!("/v1/blobs/{blob_id}/confirmation/permanent"),
            vec![],
            vec![],
            400,
            "NOT_REGISTERED",
        ),
        (
            "GET",
            format!("/v1/blobs/{blob_id}/recoverySymbols"),
            vec![],
            vec![],
            400,
            "",
        ),
        (
            "POST",
            format!("/v1/blobs/{blob_id}/inconsistencyProof/primary"),
            octet.to_vec(),
            vec![9; 40],
            404,
            "METADATA_NOT_FOUND",
        ),
        ("GET", "/v1/nothing-here".into(), vec![], vec![], 404, ""),
    ];
    for (method, path, headers, body, code, expected) in &cases {
        let (status, answer) =
            http(port, method, path, headers, body).unwrap_or_else(|| panic!("{method} {path}"));
        assert_eq!(
            status,
            *code,
            "{method} {path}: {}",
            String::from_utf8_lossy(&answer)
        );
        if !expected.is_empty() {
            assert_eq!(
                reason(&answer).as_deref(),
                Some(*expected),
                "{method} {path}"
            );
        }
    }
    // Nothing was stored by any of them.
    let (_, body) = http(
        port,
        "GET",
        &format!("/v1/blobs/{blob_id}/metadata/status"),
        &[],
        b"",
    )
    .expect("status");
    assert_eq!(json(&body)["success"]["data"], "nonexistent");

    // With the metadata in place, slivers are checked against it.
    let (status, _) = http(
        port,
        "PUT",
        &format!("/v1/blobs/{blob_id}/metadata"),
        &octet,
        &metadata_bcs,
    )
    .expect("put");
    assert_eq!(status, 201);
    let (status, _) = http(
        port,
        "POST",
        &format!("/v1/blobs/{blob_id}/inconsistencyProof/primary"),
        &octet,
        &[9; 40],
    )
    .expect("proof");
    assert_eq!(status, 400, "a garbage inconsistency proof");
    let mut corrupt = primary.clone();
    let middle = corrupt.len() / 2;
    corrupt[middle] ^= 1;
    let wrong_index = encoded.primary_sliver((pair + 1) % SHARDS).to_bcs();
    for (body, expected) in [
        (corrupt, "INVALID_SLIVER"),
        (wrong_index, "SLIVER_INDEX_MISMATCH"),
        (vec![0; 3], "MALFORMED_REQUEST"),
    ] {
        let (status, answer) = http(
            port,
            "PUT",
            &format!("/v1/blobs/{blob_id}/slivers/{pair}/primary"),
            &octet,
            &body,
        )
        .expect("put sliver");
        assert_eq!(status, 400, "{}", String::from_utf8_lossy(&answer));
        assert_eq!(reason(&answer).as_deref(), Some(expected));
    }
    let sliver_status = format!("/v1/blobs/{blob_id}/slivers/{pair}/primary/status");
    let (_, body) = http(port, "GET", &sliver_status, &[], b"").expect("status");
    assert_eq!(json(&body)["success"]["data"], "nonexistent");
    let (status, _) = http(
        port,
        "PUT",
        &format!("/v1/blobs/{blob_id}/slivers/{pair}/primary"),
        &octet,
        &primary,
    )
    .expect("put sliver");
    assert_eq!(status, 201);
    let (_, body) = http(port, "GET", &sliver_status, &[], b"").expect("status");
    assert_eq!(json(&body)["success"]["data"], "stored");
    drop(registration);

    // `?pending=true`: metadata of a blob not yet registered is buffered, then stored once the
    // registration is seen.
    let pending_path = format!("/v1/blobs/{unregistered_id}/metadata");
    let (status, answer) = http(
        port,
        "PUT",
        &format!("{pending_path}?pending=true"),
        &octet,
        &bcs::to_bytes(unregistered.metadata().metadata()).expect("bcs"),
    )
    .expect("pending put");
    assert_eq!(status, 202, "{}", String::from_utf8_lossy(&answer));
    let (_, body) = http(port, "GET", &format!("{pending_path}/status"), &[], b"").expect("status");
    assert_eq!(json(&body)["success"]["data"], "buffered");
    runtime.block_on(async {
        client
            .register_encoded(&unregistered, &haulout_client::StoreOptions::default())
            .await
            .expect("register");
    });
    wait_for("the buffered metadata to be stored", || {
        http(port, "GET", &format!("{pending_path}/status"), &[], b"")
            .is_some_and(|(s, b)| s == 200 && json(&b)["success"]["data"] == "stored")
    });
}

#[test]
fn the_network_changes_epochs_by_itself_and_moves_shards_with_stake() {
    // 60 s epochs; accounts rich enough to double a node's stake.
    let net = Network::start_with(NODES, SHARDS, "60s", &["--wal-per-account", "20000000"]);
    let epoch = |net: &Network| net.haulout_ok(&["info"]);
    let a = pattern(200_000, 41);
    let (a_id, _) = net.store("a", &a, &["--epochs", "10"]);
    let before = epoch(&net);
    assert_eq!(before["epoch"], 1);
    let node0 = net.node_id(0);
    let shards_of = |info: &serde_json::Value, node: &str| -> Vec<u16> {
        info["committee"]
            .as_array()
            .expect("committee")
            .iter()
            .find(|m| m["nodeId"] == node)
            .map(|m| {
                m["shards"]
                    .as_array()
                    .expect("shards")
                    .iter()
                    .map(|s| s.as_u64().expect("shard") as u16)
                    .collect()
            })
            .unwrap_or_default()
    };
    assert_eq!(shards_of(&before, &node0).len(), 10);
    let staked = net.haulout_ok(&["stake", "--node", &node0, "--amount", "10000000"]);
    assert!(staked["stakedWalId"].is_string());

    let mut blobs = vec![(a_id, a)];
    let mut seen = 1;
    let start = std::time::Instant::now();
    while seen < 4 {
        assert!(
            start.elapsed() < std::time::Duration::from_secs(600),
            "the network did not reach epoch 4 on its own (at {seen})"
        );
        std::thread::sleep(std::time::Duration::from_millis(500));
        let info = epoch(&net);
        let now = info["epoch"].as_u64().expect("epoch") as u32;
        if now > seen && info["epochState"] == "EpochChangeDone" {
            seen = now;
            // Each epoch: a new blob, and every blob so far still reads.
            let data = pattern(50_000 + now as usize, 50 + u64::from(now));
            let (id, _) = net.store(&format!("e{now}"), &data, &["--epochs", "8"]);
            blobs.push((id, data));
            for (id, data) in &blobs {
                let back = net
                    .read(id)
                    .unwrap_or_else(|e| panic!("epoch {now}: read {id}: {e}"));
                assert!(&back == data, "epoch {now}: {id} reads back wrong");
            }
        }
    }
    let after = epoch(&net);
    let gained = shards_of(&after, &node0);
    assert!(
        gained.len() > 10,
        "node 0 doubled its stake and holds more shards: {gained:?}"
    );
    // Node 0 holds every sliver of its new shards for the blob stored in epoch 1.
    wait_for("node 0 to hold its gained shards", || {
        net.node_holds_shards(0, &blobs[0].0, &gained)
    });
    let transferred: u64 = net
        .node_log(0)
        .lines()
        .filter_map(|l| l.split("transferred=").nth(1))
        .filter_map(|v| v.split_whitespace().next()?.parse::<u64>().ok())
        .sum();
    assert!(
        transferred > 0,
        "node 0 took its gained shards over from their previous owners"
    );
}

#[test]
fn a_blob_encoded_inconsistently_is_invalidated_on_chain() {
    use haulout_client::nodes::NodeClient;
    let net = Network::start(NODES, SHARDS, "1h");
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let client = net.client(&runtime);
    let config = redstuff::EncodingConfig::new(SHARDS).expect("config");
    let data = pattern(100_000, 61);
    let encoded = config.encode(&data).expect("encode");

    // A Byzantine writer: the metadata commits to a forged primary sliver of the last pair,
    // which is never uploaded; everything else is honest.
    let forged_pair = SHARDS - 1;
    let mut forged = encoded.primary_sliver(forged_pair);
    let mut bytes = forged.data().to_vec();
    bytes[0] ^= 0xff;
    forged = redstuff::SliverData::new(bytes, forged.symbol_size(), forged.index);
    let mut metadata = encoded.metadata().metadata().clone();
    let redstuff::BlobMetadata::V1(v1) = &mut metadata;
    v1.hashes[usize::from(forged_pair)].primary_hash = forged.compute_root(&config).expect("root");
    let metadata = redstuff::BlobMetadataWithId::new_verified(metadata);
    let blob_id = *metadata.blob_id();
    let blob_text = blob_id.to_string();

    runtime.block_on(async {
        let options = haulout_client::StoreOptions::default();
        let registration = client
            .register_metadata(&metadata, &options)
            .await
            .expect("register");
        let committee = client.committee().await.expect("committee");
        let nodes = NodeClient::default();
        let metadata_bcs = bcs::to_bytes(metadata.metadata()).expect("bcs");
        let object = registration.object_id.to_string();
        let mut confirmations = Vec::new();
        for member in &committee.members {
            let address = &member.network_address;
            let mut put_metadata = nodes
                .put_metadata(address, &blob_id, metadata_bcs.clone())
                .await;
            while matches!(&put_metadata, Err(e) if e.is_retryable()) {
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                put_metadata = nodes
                    .put_metadata(address, &blob_id, metadata_bcs.clone())
                    .await;
            }
            put_metadata.expect("metadata");
            let mut complete = true;
            for &shard in &member.shards {
                let pair = redstuff::pair_index_for_shard(&blob_id, shard, SHARDS);
                let secondary = encoded.secondary_sliver(SHARDS - 1 - pair).to_bcs();
                nodes
                    .put_sliver(address, &blob_id, pair, "secondary", secondary)
                    .await
                    .expect("secondary");
                if pair == forged_pair {
                    complete = false;
                    continue;
                }
                let primary = encoded.primary_sliver(pair).to_bcs();
                nodes
                    .put_sliver(address, &blob_id, pair, "primary", primary)
                    .await
                    .expect("primary");
            }
            if complete {
                let signed = nodes
                    .confirmation(address, &blob_id, Some(&object))
                    .await
                    .expect("confirmation");
                confirmations.push((
                    member.node_id,
                    signed.signature.0,
                    signed.serialized_message,
                ));
            }
        }
        client
            .certify_confirmations(registration.object_id, &confirmations)
            .await
            .expect("the forged blob is certified by 90 shards");
    });

    // The owner of the forged pair recovers its primary sliver from the others' symbols, finds
    // the inconsistency, and the committee invalidates the blob on chain.
    wait_for("the blob to be invalidated", || {
        let out = net.haulout(&["blob-status", &blob_text]);
        out.status.success() && json(&out.stdout)["status"].get("invalid").is_some()
    });
    let err = net
        .read(&blob_text)
        .expect_err("an invalid blob does not read");
    assert!(err.contains("invalid"), "{err}");
    let port = net.ports[0];
    let (status, _) = http(
        port,
        "GET",
        &format!("/v1/blobs/{blob_text}/metadata"),
        &[],
        b"",
    )
    .expect("get");
    assert_eq!(status, 451, "nodes stop serving an invalid blob");
}
