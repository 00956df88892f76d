//! `ironclad serve` as a user starts it: bad flags exit 2 before binding; a real server on a
//! free loopback port answers, and stops on SIGTERM.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::Stdio;

use super::{run, workspace_root};

#[test]
fn bad_serve_flags_exit_2_with_a_reason() {
    let r = run(&["serve", "--frameworks", "no/such/dir", "--addr", "127.0.0.1:0"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("cannot read the library directory no/such/dir"), "{}", r.stderr);
    let r = run(&["serve", "--default-runs", "0", "--addr", "127.0.0.1:0"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("--default-runs"), "{}", r.stderr);
    let r = run(&["serve", "--addr", "localhost"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
}

/// One HTTP/1.1 request over a fresh connection; the status and the body.
fn http(addr: &str, request: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).expect("the server accepts");
    stream.write_all(request.as_bytes()).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let status = answer.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    (status, answer.split_once("\r\n\r\n").map_or(String::new(), |(_, b)| b.to_string()))
}

#[test]
fn a_started_server_answers_on_loopback_and_stops_on_sigterm() {
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("ironclad"))
        .current_dir(workspace_root())
        .args(["serve", "--addr", "127.0.0.1:0", "--threads", "1"])
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("serve starts");
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    stderr.read_line(&mut line).unwrap();
    // "ironclad serve: http://127.0.0.1:PORT/ (...)"
    let addr =
        line.split("http://").nth(1).and_then(|s| s.split('/').next()).expect("the address is printed").to_string();
    assert!(addr.starts_with("127.0.0.1:"), "{line}");
    assert!(line.contains("9 frameworks"), "{line}");
    let (status, body) = http(&addr, "GET /api/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assert_eq!((status, body.contains("\"ok\"")), (200, true), "{body}");
    let bad = "{\"spec\": 1}";
    let (status, body) = http(
        &addr,
        &format!(
            "POST /api/check HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{bad}",
            bad.len()
        ),
    );
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("\"bad_request\""), "{body}");
    // SIGTERM: a graceful stop with exit 0.
    let pid = child.id().to_string();
    assert!(std::process::Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0));
}
