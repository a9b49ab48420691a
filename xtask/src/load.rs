//! `xtask load`: a bounded HTTP/1.1 load generator for `evreg serve`'s
//! benchmark (scripts/bench-serve.sh): a fixed number of GET requests over
//! keep-alive connections, one thread each, cycling through the paths
//! given; prints throughput and latency percentiles.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// `xtask load HOST:PORT --requests N --connections C PATH…`
pub fn run(args: &[String]) -> Result<(), String> {
    let mut host = None;
    let mut requests = 100_000usize;
    let mut connections = 16usize;
    let mut paths = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = || it.next().ok_or(format!("{a} needs a value")).cloned();
        match a.as_str() {
            "--requests" => requests = value()?.parse().map_err(|e| format!("--requests: {e}"))?,
            "--connections" => {
                connections = value()?
                    .parse()
                    .map_err(|e| format!("--connections: {e}"))?
            }
            p if p.starts_with('/') => paths.push(p.to_owned()),
            h if host.is_none() => host = Some(h.to_owned()),
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    let host = host.ok_or("usage: xtask load HOST:PORT [--requests N] [--connections C] PATH…")?;
    if paths.is_empty() {
        return Err("name at least one PATH".into());
    }
    let per = requests.div_ceil(connections);
    let started = Instant::now();
    let results: Vec<Result<Vec<Duration>, String>> = std::thread::scope(|s| {
        (0..connections)
            .map(|c| {
                let (host, paths) = (&host, &paths);
                s.spawn(move || connection(host, paths, c, per))
            })
            .collect::<Vec<_>>()
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err("a connection panicked".into()))
            })
            .collect()
    });
    let elapsed = started.elapsed();
    let mut latencies = Vec::new();
    for r in results {
        latencies.extend(r?);
    }
    latencies.sort_unstable();
    let at = |q: f64| latencies[((latencies.len() as f64 * q) as usize).min(latencies.len() - 1)];
    println!(
        "{} requests over {connections} connections in {:.2} s: {:.0} requests/s, p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms",
        latencies.len(),
        elapsed.as_secs_f64(),
        latencies.len() as f64 / elapsed.as_secs_f64(),
        at(0.50).as_secs_f64() * 1000.0,
        at(0.99).as_secs_f64() * 1000.0,
        latencies[latencies.len() - 1].as_secs_f64() * 1000.0,
    );
    Ok(())
}

/// `count` requests on one keep-alive connection; each must answer 200.
fn connection(
    host: &str,
    paths: &[String],
    first: usize,
    count: usize,
) -> Result<Vec<Duration>, String> {
    let stream = TcpStream::connect(host).map_err(|e| format!("connect {host}: {e}"))?;
    stream.set_nodelay(true).map_err(|e| e.to_string())?;
    let mut writer = stream.try_clone().map_err(|e| e.to_string())?;
    let mut reader = BufReader::new(stream);
    let mut out = Vec::with_capacity(count);
    let mut line = String::new();
    let mut body = Vec::new();
    for i in 0..count {
        let path = &paths[(first + i) % paths.len()];
        let sent = Instant::now();
        write!(writer, "GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n").map_err(|e| e.to_string())?;
        line.clear();
        reader.read_line(&mut line).map_err(|e| e.to_string())?;
        if !line.starts_with("HTTP/1.1 200") {
            return Err(format!("GET {path}: {}", line.trim()));
        }
        let mut length = 0usize;
        loop {
            line.clear();
            reader.read_line(&mut line).map_err(|e| e.to_string())?;
            if line == "\r\n" || line.is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value
                    .trim()
                    .parse()
                    .map_err(|e| format!("content-length: {e}"))?;
            }
        }
        body.resize(length, 0);
        reader.read_exact(&mut body).map_err(|e| e.to_string())?;
        out.push(sent.elapsed());
    }
    Ok(out)
}
