//! `evreg serve` as a child process on a free port, and plain HTTP/1.1
//! requests to it (no client library: what goes over the wire is what the
//! test reads).

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, ChildStderr, Command, Stdio};

/// A running `evreg serve`, stopped when dropped.
pub struct Server {
    child: Child,
    stderr: BufReader<ChildStderr>,
    /// `http://127.0.0.1:PORT`.
    pub url: String,
}

/// An HTTP response.
#[derive(Debug)]
pub struct Response {
    /// Its status code.
    pub status: u16,
    /// Its headers, names in lower case.
    pub headers: Vec<(String, String)>,
    /// Its body.
    pub body: Vec<u8>,
}

impl Response {
    /// The value of header `name` (lower case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

impl Server {
    /// `evreg serve ARGS --addr 127.0.0.1:0` run by the binary `evreg` in
    /// `dir`, once it listens.
    pub fn start(evreg: &Path, dir: &Path, args: &[&str]) -> Server {
        let mut child = Command::new(evreg)
            .arg("serve")
            .args(args)
            .args(["--addr", "127.0.0.1:0"])
            .current_dir(dir)
            .env_remove("EVREG_CATALOG")
            .stderr(Stdio::piped())
            .spawn()
            .expect("evreg runs");
        let stderr = BufReader::new(child.stderr.take().unwrap());
        let mut server = Server {
            child,
            stderr,
            url: String::new(),
        };
        let line = server.wait_for(" at http://");
        server.url = line
            .trim()
            .rsplit_once(" at ")
            .map(|(_, url)| url.to_owned())
            .unwrap_or_else(|| panic!("no address in {line:?}"));
        server
    }

    /// Reads the server's standard error up to the first line holding
    /// `needle`, and returns that line; fails with what it read when the
    /// server exits first.
    pub fn wait_for(&mut self, needle: &str) -> String {
        let read = self.read_until(needle);
        read.lines().last().unwrap_or_default().to_owned()
    }

    /// The next lines of standard error up to one holding `needle`, all of
    /// them.
    pub fn read_until(&mut self, needle: &str) -> String {
        let mut read = String::new();
        loop {
            let mut line = String::new();
            let n = self.stderr.read_line(&mut line).unwrap();
            assert!(
                n > 0,
                "the server stopped before saying {needle:?}:\n{read}"
            );
            read.push_str(&line);
            if line.contains(needle) {
                return read;
            }
        }
    }

    /// `GET path`.
    pub fn get(&self, path: &str) -> Response {
        self.request("GET", path, &[], "")
    }

    /// A request with extra `headers`, over a connection of its own.
    pub fn request(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &str,
    ) -> Response {
        let host = self.url.trim_start_matches("http://");
        let mut stream = std::net::TcpStream::connect(host).unwrap();
        let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n");
        for (name, value) in headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
        stream.write_all(head.as_bytes()).unwrap();
        stream.write_all(body.as_bytes()).unwrap();
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).unwrap();
        let split = raw
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .expect("a response head");
        let head = String::from_utf8(raw[..split].to_vec()).unwrap();
        let mut lines = head.split("\r\n");
        let status = lines
            .next()
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|s| s.parse().ok())
            .expect("a status line");
        let headers = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
            .collect::<Vec<_>>();
        let mut body = raw[split + 4..].to_vec();
        if headers
            .iter()
            .any(|(n, v)| n == "transfer-encoding" && v == "chunked")
        {
            body = dechunk(&body);
        }
        Response {
            status,
            headers,
            body,
        }
    }
}

/// The data of a `Transfer-Encoding: chunked` body.
fn dechunk(mut raw: &[u8]) -> Vec<u8> {
    let mut data = Vec::new();
    loop {
        let line = raw
            .windows(2)
            .position(|w| w == b"\r\n")
            .expect("a chunk size line");
        let size = std::str::from_utf8(&raw[..line]).unwrap();
        let size = usize::from_str_radix(size.split(';').next().unwrap().trim(), 16)
            .expect("a hexadecimal chunk size");
        raw = &raw[line + 2..];
        if size == 0 {
            return data;
        }
        data.extend_from_slice(&raw[..size]);
        raw = &raw[size + 2..];
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
