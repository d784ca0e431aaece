//! The Redis source against a real server (started by tests/run-all.sh).
//! Every test uses keys and users of its own. keyspace_hits/misses are
//! server-wide, so only `hit_rate_over_a_window_is_exact` reads keys
//! (GET); the others only write (SET, MSET), which does not count.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

#[path = "support/forwarder.rs"]
mod forwarder;
#[path = "support/live.rs"]
#[allow(dead_code)] // each binary uses only some helpers
mod live;
use opsdeck::features::queries::redis::{
    RedisConnection, RedisErrorKind, RedisTarget, probe, rates,
};
use redis::aio::MultiplexedConnection;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

/// The server's URL from run-all.sh, or None (skip) outside CI.
fn server() -> Option<String> {
    match std::env::var("OPSDECK_TEST_REDIS_URL") {
        Ok(url) => Some(url),
        Err(_) if std::env::var("CI").as_deref() == Ok("true") => {
            panic!("OPSDECK_TEST_REDIS_URL must be set under CI (run tests/run-all.sh)")
        }
        Err(_) => {
            live::skipped("OPSDECK_TEST_REDIS_URL is unset; tests/run-all.sh starts a Redis");
            None
        }
    }
}

/// The hit, miss and expiry counters are the server's, and one test sets
/// `slowlog-log-slower-than` for the whole server: tests in this file take
/// turns, so one's reads never land in another's window.
async fn one_at_a_time() -> tokio::sync::MutexGuard<'static, ()> {
    static TURN: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
    TURN.lock().await
}

/// A name no other test (or earlier run against the same server) uses.
fn unique(prefix: &str) -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!(
        "{prefix}-{}-{}-{nanos}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// A plain connection of the test's own (not opsdeck's).
async fn raw(url: &str) -> MultiplexedConnection {
    redis::Client::open(url)
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap()
}

async fn command<T: redis::FromRedisValue>(conn: &mut MultiplexedConnection, args: &[&str]) -> T {
    let mut cmd = redis::cmd(args[0]);
    for arg in &args[1..] {
        cmd.arg(*arg);
    }
    cmd.query_async(conn).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hit_rate_over_a_window_is_exact() {
    let Some(url) = server() else { return };
    let _serial = one_at_a_time().await;
    let prefix = unique("hits");
    let mut app = raw(&url).await;
    for n in 0..3 {
        let _: () = command(&mut app, &["SET", &format!("{prefix}:{n}"), "v"]).await;
    }
    let mut conn = RedisConnection::new(RedisTarget::new("cache", url.as_str()));

    // Window 1: three hits and one miss.
    let first = conn.info().await.unwrap();
    for n in 0..3 {
        let _: Option<String> = command(&mut app, &["GET", &format!("{prefix}:{n}")]).await;
    }
    let _: Option<String> = command(&mut app, &["GET", &format!("{prefix}:absent")]).await;
    let second = conn.info().await.unwrap();
    let r = rates(&first, &second).unwrap();
    assert_eq!((r.hits, r.misses), (3, 1));
    assert_eq!(r.hit_rate, Some(0.75));
    assert!(!r.restarted);
    assert!(r.ops_per_sec.unwrap() > 0.0);

    // Window 2: nothing read, so no hit rate.
    let third = conn.info().await.unwrap();
    let r = rates(&second, &third).unwrap();
    assert_eq!((r.hits, r.misses, r.hit_rate), (0, 0, None));

    // Window 3: four keys are set and expire inside it (it opens before
    // they are set, so however slow the machine, their expiry falls in
    // it); reading them finds nothing.
    let fourth = conn.info().await.unwrap();
    for n in 0..4 {
        let _: () = command(
            &mut app,
            &["SET", &format!("{prefix}:ttl:{n}"), "v", "PX", "300"],
        )
        .await;
    }
    tokio::time::sleep(Duration::from_millis(600)).await;
    for n in 0..4 {
        let _: Option<String> = command(&mut app, &["GET", &format!("{prefix}:ttl:{n}")]).await;
    }
    let fifth = conn.info().await.unwrap();
    let r = rates(&fourth, &fifth).unwrap();
    assert_eq!((r.hits, r.misses, r.hit_rate), (0, 4, Some(0.0)));
    let expired = r.expired_per_sec.unwrap() * r.window.as_secs_f64();
    assert!((expired - 4.0).abs() < 1e-6, "{expired}");
    assert_eq!(r.evicted_per_sec, Some(0.0));

    // The INFO fields themselves.
    let info = &fifth.info;
    let version: String = command::<String>(&mut app, &["INFO", "server"])
        .await
        .lines()
        .find_map(|l| {
            l.strip_prefix("redis_version:")
                .map(|v| v.trim().to_string())
        })
        .unwrap();
    assert_eq!(info.redis_version.as_deref(), Some(version.as_str()));
    assert!(info.connected_clients.unwrap() >= 2);
    assert!(info.used_memory.unwrap() > 0);
    assert!(info.uptime_secs.is_some() && info.run_id.is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slowlog_lists_recent_commands_with_their_client() {
    let Some(url) = server() else { return };
    let _serial = one_at_a_time().await;
    let mut app = raw(&url).await;
    // run-all.sh starts Redis like this already; set it anyway so the test
    // also holds against a server started by hand.
    let _: () = command(&mut app, &["CONFIG", "SET", "slowlog-log-slower-than", "0"]).await;
    let name = unique("tester");
    let _: () = command(&mut app, &["CLIENT", "SETNAME", &name]).await;
    let key = unique("slowlog");
    let _: () = command(&mut app, &["SET", &key, "v"]).await;

    let mut target = RedisTarget::new("cache", url.as_str());
    target.slowlog_len = 128;
    let mut conn = RedisConnection::new(target);
    let entries = conn.slowlog().await.unwrap();
    let ours = entries
        .iter()
        .find(|e| e.args == ["SET", key.as_str(), "v"])
        .unwrap();
    assert_eq!(ours.client_name.as_deref(), Some(name.as_str()));
    assert!(
        ours.client_addr
            .as_deref()
            .unwrap()
            .starts_with("127.0.0.1:")
    );
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    assert!((now - ours.timestamp).abs() <= 5, "{}", ours.timestamp);
    assert!(
        entries.windows(2).all(|w| w[0].id > w[1].id),
        "newest first"
    );

    let mut short = RedisTarget::new("cache", url.as_str());
    short.slowlog_len = 2;
    assert_eq!(
        RedisConnection::new(short).slowlog().await.unwrap().len(),
        2
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pattern_counts_are_exact_or_say_at_least_when_capped() {
    let Some(url) = server() else { return };
    let _serial = one_at_a_time().await;
    let mut app = raw(&url).await;
    let many = unique("ratelimit:many");
    let few = unique("ratelimit:few");
    let mut mset = vec!["MSET".to_string()];
    for n in 0..250 {
        mset.push(format!("{many}:{n}"));
        mset.push("1".into());
    }
    for n in 0..3 {
        mset.push(format!("{few}:{n}"));
        mset.push("1".into());
    }
    let args: Vec<&str> = mset.iter().map(String::as_str).collect();
    let _: () = command(&mut app, &args).await;

    let mut target = RedisTarget::new("cache", url.as_str());
    target.patterns = vec![format!("{many}:*"), format!("{few}:*")];
    target.scan_cap = 1_000_000;
    let mut conn = RedisConnection::new(target.clone());
    let counts = conn.pattern_counts().await.unwrap();
    assert_eq!(
        counts
            .iter()
            .map(|c| (c.count, c.capped, c.label()))
            .collect::<Vec<_>>(),
        [(250, false, "250".to_string()), (3, false, "3".to_string())]
    );

    // A cap of 100 per pattern cannot cover the 253 keys: the count is a
    // lower bound and says so.
    target.scan_cap = 200;
    let counts = RedisConnection::new(target).pattern_counts().await.unwrap();
    let capped = &counts[0];
    assert!(capped.capped);
    assert!(capped.count < 250, "{}", capped.count);
    assert_eq!(capped.label(), format!("at least {}", capped.count));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn poll_reads_info_memory_slowlog_and_patterns() {
    let Some(url) = server() else { return };
    let _serial = one_at_a_time().await;
    let mut app = raw(&url).await;
    // Its own slowlog entry, not one another test happened to leave: every
    // command is logged (the same setting the slowlog test makes).
    let _: () = command(&mut app, &["CONFIG", "SET", "slowlog-log-slower-than", "0"]).await;
    let prefix = unique("ratelimit:poll");
    let _: () = command(&mut app, &["SET", &format!("{prefix}:a"), "1"]).await;
    let maxmemory: Vec<String> = command(&mut app, &["CONFIG", "GET", "maxmemory"]).await;

    let mut target = RedisTarget::new("cache", url.as_str());
    target.patterns = vec![format!("{prefix}:*")];
    let mut conn = RedisConnection::new(target);
    let first = conn.poll(None).await.unwrap();
    assert_eq!(first.rates, None);
    let memory = first.memory.unwrap();
    assert_eq!(memory.used, first.sample.info.used_memory.unwrap());
    match maxmemory[1].parse::<u64>().unwrap() {
        0 => assert_eq!((memory.max, memory.ratio), (None, None)),
        max => assert_eq!(memory.max, Some(max)),
    }
    assert_eq!(first.patterns.len(), 1);
    assert_eq!(
        (first.patterns[0].count, first.patterns[0].capped),
        (1, false)
    );
    assert!(!first.slowlog.is_empty());

    let second = conn.poll(Some(&first.sample)).await.unwrap();
    let r = second.rates.unwrap();
    assert!(!r.restarted);
    assert!(r.window > Duration::ZERO);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn probe_reports_version_noperm_and_a_wrong_password() {
    let Some(url) = server() else { return };
    let _serial = one_at_a_time().await;
    let mut app = raw(&url).await;
    let expected: String = command::<String>(&mut app, &["INFO", "server"])
        .await
        .lines()
        .find_map(|l| {
            l.strip_prefix("redis_version:")
                .map(|v| v.trim().to_string())
        })
        .unwrap();

    let probed = probe(&RedisTarget::new("cache", url.as_str()))
        .await
        .unwrap();
    assert_eq!(probed.version.as_deref(), Some(expected.as_str()));
    assert_eq!(probed.info, Ok(()));
    assert!(probed.checks().iter().all(|c| c.ok));

    // An ACL user that may do anything but INFO.
    let user = unique("opsdeck-noinfo");
    let password = unique("pw");
    let _: () = command(
        &mut app,
        &[
            "ACL",
            "SETUSER",
            &user,
            "on",
            &format!(">{password}"),
            "~*",
            "+@all",
            "-info",
        ],
    )
    .await;
    let user_url = url.replacen("redis://", &format!("redis://{user}@"), 1);
    let target = RedisTarget::new("cache", user_url.as_str()).with_password(Some(password.clone()));
    let probed = probe(&target).await.unwrap();
    assert_eq!(
        probed.version.as_deref(),
        Some(expected.as_str()),
        "from HELLO"
    );
    let refused = probed.info.clone().unwrap_err();
    assert!(
        matches!(refused.kind, RedisErrorKind::NoPerm(_)),
        "{refused:?}"
    );
    let text = refused.to_string();
    assert!(
        text.starts_with("cache: info: not permitted (NOPERM): "),
        "{text}"
    );
    assert!(text.contains("'info'"), "{text}");
    assert!(!text.contains(&password));
    assert!(!probed.checks()[1].ok);

    // The same user with a wrong password: refused at connect, no secret
    // in the error.
    let wrong = format!("{password}-but-wrong");
    let target = RedisTarget::new("cache", user_url.as_str()).with_password(Some(wrong.clone()));
    let err = probe(&target).await.unwrap_err();
    assert!(matches!(err.kind, RedisErrorKind::NoAuth(_)), "{err:?}");
    assert!(
        err.to_string()
            .starts_with("cache: connect: not authenticated: "),
        "{err}"
    );
    assert!(!err.to_string().contains(&wrong) && !format!("{err:?}").contains(&wrong));

    let _: i64 = command(&mut app, &["ACL", "DELUSER", &user]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_that_was_killed_reconnects() {
    let Some(url) = server() else { return };
    let _serial = one_at_a_time().await;
    let mut app = raw(&url).await;
    // A user of its own, so killing its connections touches no other test.
    let user = unique("opsdeck-killed");
    let password = unique("pw");
    let _: () = command(
        &mut app,
        &[
            "ACL",
            "SETUSER",
            &user,
            "on",
            &format!(">{password}"),
            "~*",
            "+@all",
        ],
    )
    .await;
    let user_url = url.replacen("redis://", &format!("redis://{user}@"), 1);
    let target = RedisTarget::new("cache", user_url.as_str()).with_password(Some(password));
    let mut conn = RedisConnection::new(target);
    conn.info().await.unwrap();

    let clients: String = command(&mut app, &["CLIENT", "LIST"]).await;
    let ours: Vec<&str> = clients
        .lines()
        .filter(|l| l.contains(&format!(" user={user} ")))
        .collect();
    assert_eq!(ours.len(), 1, "{clients}");
    assert!(ours[0].contains(" name=opsdeck "), "{}", ours[0]);

    let killed: i64 = command(&mut app, &["CLIENT", "KILL", "USER", &user]).await;
    assert_eq!(killed, 1);
    let mut failures = 0;
    let mut ok = false;
    for _ in 0..2 {
        match conn.info().await {
            Ok(_) => {
                ok = true;
                break;
            }
            Err(e) => {
                assert!(e.to_string().starts_with("cache: info: "), "{e}");
                failures += 1;
            }
        }
    }
    assert!(ok && failures <= 1, "{failures} failures");
    let _: i64 = command(&mut app, &["ACL", "DELUSER", &user]).await;
}

/// The TLS port of run-all.sh's server and its CA file, or None (skip)
/// outside CI.
fn tls_server() -> Option<(String, std::path::PathBuf)> {
    match (
        std::env::var("OPSDECK_TEST_REDIS_TLS_URL"),
        std::env::var("OPSDECK_TEST_REDIS_CA"),
    ) {
        (Ok(url), Ok(ca)) => Some((url, ca.into())),
        _ if std::env::var("CI").as_deref() == Ok("true") => {
            panic!("OPSDECK_TEST_REDIS_TLS_URL and _CA must be set under CI (run tests/run-all.sh)")
        }
        _ => {
            live::skipped(
                "OPSDECK_TEST_REDIS_TLS_URL is unset; tests/run-all.sh starts Redis with TLS",
            );
            None
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rediss_verifies_the_server_against_the_ca_file() {
    let Some((url, ca)) = tls_server() else {
        return;
    };
    let _serial = one_at_a_time().await;
    let mut target = RedisTarget::new("cache", url.as_str());
    target.ca_file = Some(ca.clone());
    let probed = probe(&target).await.unwrap();
    assert!(probed.version.is_some(), "{probed:?}");
    assert_eq!(probed.info, Ok(()));
    let mut conn = RedisConnection::new(target);
    let sample = conn.info().await.unwrap();
    assert!(sample.info.connected_clients >= Some(1), "{sample:?}");

    // Without the CA the throwaway certificate is not trusted.
    let err = probe(&RedisTarget::new("cache", url.as_str()))
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(text.starts_with("cache: connect: "), "{text}");
    assert!(text.to_lowercase().contains("certificate"), "{text}");

    // A CA file that is not one says which file and why.
    let dir = tempfile::tempdir().unwrap();
    let junk = dir.path().join("ca.pem");
    std::fs::write(&junk, "not a certificate").unwrap();
    let mut target = RedisTarget::new("cache", url.as_str());
    target.ca_file = Some(junk.clone());
    let err = probe(&target).await.unwrap_err();
    assert!(matches!(err.kind, RedisErrorKind::Config(_)), "{err:?}");
    assert!(
        err.to_string()
            .contains(&format!("ca_file {}", junk.display())),
        "{err}"
    );
}

/// The right server under a name its certificate does not list is refused,
/// and the error says so; the same bytes under a listed name pass.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rediss_refuses_a_name_the_certificate_does_not_list() {
    let Some((url, ca)) = tls_server() else {
        return;
    };
    let _serial = one_at_a_time().await;
    let port: u16 = url
        .trim_end_matches("/0")
        .rsplit(':')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let server = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    let target_at = |forwarder: &forwarder::Forwarder| {
        let mut target =
            RedisTarget::new("cache", format!("rediss://{}/0", forwarder.addr()).as_str());
        target.ca_file = Some(ca.clone());
        target
    };

    // The certificate names 127.0.0.1: through a forwarder there, it passes.
    let listed = forwarder::Forwarder::start(server).await;
    let probed = probe(&target_at(&listed)).await.unwrap();
    assert_eq!(probed.info, Ok(()));

    // 127.0.0.2 reaches the same server, but the certificate does not name it.
    let unlisted = forwarder::Forwarder::start_on([127, 0, 0, 2].into(), server).await;
    let err = probe(&target_at(&unlisted)).await.unwrap_err();
    let text = err.to_string();
    assert!(text.starts_with("cache: connect: "), "{text}");
    assert!(
        text.contains("certificate not valid for name \"127.0.0.2\""),
        "{text}"
    );
}
