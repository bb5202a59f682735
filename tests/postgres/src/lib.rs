//! A real Postgres for tests: one throwaway cluster per test process (Debian's `postgresql`
//! server binaries, a data directory in a temp dir, a loopback port, trust auth), and a fresh
//! empty database per caller.
//!
//! When the server binaries are missing the tests fail with the command that installs them;
//! `INTAKE_SKIP_POSTGRES=1` turns that into a skip that says so on stderr, for machines where
//! Postgres cannot be installed. Never a silent skip.

use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

/// A fresh database in the shared test cluster.
#[derive(Debug, Clone)]
pub struct TestDatabase {
    /// `postgres://…` for this database.
    pub url: String,
    /// Its name.
    pub name: String,
}

/// The shared cluster, started on first use and stopped when the test process exits.
struct Cluster {
    port: u16,
    // Kept so the directory lives as long as the process.
    _dir: tempfile::TempDir,
}

const USER: &str = "intake";

/// A fresh, empty database, or None when Postgres is unavailable and
/// `INTAKE_SKIP_POSTGRES=1` allows skipping (said on stderr).
///
/// # Panics
/// When Postgres cannot be started and skipping is not allowed: the message says why.
pub fn database() -> Option<TestDatabase> {
    static CLUSTER: OnceLock<Result<Cluster, String>> = OnceLock::new();
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let cluster = match CLUSTER.get_or_init(start) {
        Ok(cluster) => cluster,
        Err(why) if std::env::var("INTAKE_SKIP_POSTGRES").as_deref() == Ok("1") => {
            eprintln!("SKIPPED (INTAKE_SKIP_POSTGRES=1): no Postgres for this test: {why}");
            return None;
        }
        Err(why) => panic!(
            "no Postgres for this test: {why}\n\
             Install the server (Debian: apt-get install -y postgresql), or set \
             INTAKE_SKIP_POSTGRES=1 to skip the Postgres tests on a machine that cannot have it."
        ),
    };
    let name = format!(
        "intake_test_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
    let admin = format!("postgres://{USER}@127.0.0.1:{}/postgres", cluster.port);
    let create = format!("CREATE DATABASE {name}");
    // On a thread of its own: the caller may be an async test, where the blocking client
    // cannot run.
    std::thread::spawn(move || {
        let mut client = postgres::Client::connect(&admin, postgres::NoTls)
            .unwrap_or_else(|e| panic!("cannot reach the test Postgres at {admin}: {e}"));
        client
            .batch_execute(&create)
            .unwrap_or_else(|e| panic!("cannot create the test database: {e}"));
    })
    .join()
    .unwrap_or_else(|_| panic!("creating test database {name} failed (see above)"));
    Some(TestDatabase {
        url: format!("postgres://{USER}@127.0.0.1:{}/{name}", cluster.port),
        name,
    })
}

fn start() -> Result<Cluster, String> {
    // The postgres crate's client blocks on a runtime of its own: keep it off any caller's.
    std::thread::spawn(start_cluster)
        .join()
        .map_err(|_| "starting Postgres panicked".to_string())?
}

fn start_cluster() -> Result<Cluster, String> {
    let bin = server_bin_dir()?;
    let dir = tempfile::Builder::new()
        .prefix("intake-pg-")
        .tempdir()
        .map_err(|e| format!("cannot make a temp dir: {e}"))?;
    let data = dir.path().join("data");
    let owner = server_user()?;
    if let Some((uid, gid)) = owner {
        // Postgres refuses to run as root: the data directory belongs to `postgres`.
        chown(dir.path(), uid, gid)?;
    }
    let mut initdb = Command::new(bin.join("initdb"));
    initdb
        .args(["-D"])
        .arg(&data)
        .args([
            "-U",
            USER,
            "--auth=trust",
            "--no-sync",
            "-E",
            "UTF8",
            "--locale=C",
        ])
        .stdout(Stdio::null());
    as_owner(&mut initdb, owner);
    let out = initdb
        .output()
        .map_err(|e| format!("cannot run {}: {e}", bin.join("initdb").display()))?;
    if !out.status.success() {
        return Err(format!(
            "initdb failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    let port = free_port()?;
    let log = std::fs::File::create(dir.path().join("postgres.log"))
        .map_err(|e| format!("cannot create the server log: {e}"))?;
    if let Some((uid, gid)) = owner {
        chown(&dir.path().join("postgres.log"), uid, gid)?;
    }
    let mut server = Command::new(bin.join("postgres"));
    server
        .arg("-D")
        .arg(&data)
        .args(["-p", &port.to_string(), "-c", "listen_addresses=127.0.0.1"])
        .arg("-k")
        .arg(dir.path())
        // A test cluster: durability off, enough connections for several workers' pools.
        .args(["-c", "fsync=off", "-c", "synchronous_commit=off"])
        .args(["-c", "full_page_writes=off", "-c", "max_connections=200"])
        .stdout(Stdio::null())
        .stderr(log);
    as_owner(&mut server, owner);
    // Stop the server when the test process ends, however it ends: SIGQUIT (immediate
    // shutdown) when its parent thread dies. The spawning thread must outlive every test, so
    // a thread that never returns spawns it.
    // SAFETY: prctl is async-signal-safe and touches only the child's own attributes.
    unsafe {
        server.pre_exec(|| {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGQUIT) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let child = server.spawn();
        let failed = child.is_err();
        let _ = tx.send(child.map(|c| c.id()).map_err(|e| e.to_string()));
        if !failed {
            loop {
                std::thread::park();
            }
        }
    });
    let pid = rx
        .recv()
        .map_err(|_| "the Postgres launcher thread died".to_string())?
        .map_err(|e| format!("cannot start postgres: {e}"))?;
    remove_at_exit(pid, dir.path());
    wait_ready(port, &dir.path().join("postgres.log"))?;
    Ok(Cluster { port, _dir: dir })
}

/// Statics are never dropped: stop the server and remove its directory when the process
/// exits normally (the parent-death signal covers the abnormal exits).
fn remove_at_exit(pid: u32, dir: &Path) {
    static AT_EXIT: OnceLock<(u32, PathBuf)> = OnceLock::new();
    extern "C" fn cleanup() {
        if let Some((pid, dir)) = AT_EXIT.get() {
            // SAFETY: signalling our own child process.
            unsafe { libc::kill(*pid as libc::pid_t, libc::SIGQUIT) };
            std::thread::sleep(Duration::from_millis(100));
            let _ = std::fs::remove_dir_all(dir);
        }
    }
    if AT_EXIT.set((pid, dir.to_path_buf())).is_ok() {
        // SAFETY: registering a plain function with no captured state.
        unsafe { libc::atexit(cleanup) };
    }
}

fn wait_ready(port: u16, log: &Path) -> Result<(), String> {
    let url = format!("postgres://{USER}@127.0.0.1:{port}/postgres");
    let started = Instant::now();
    loop {
        match postgres::Client::connect(&url, postgres::NoTls) {
            Ok(_) => return Ok(()),
            Err(e) if started.elapsed() > Duration::from_secs(30) => {
                let log = std::fs::read_to_string(log).unwrap_or_default();
                return Err(format!(
                    "postgres did not accept connections in 30 s: {e}\n{log}"
                ));
            }
            Err(_) => std::thread::sleep(Duration::from_millis(50)),
        }
    }
}

/// Debian installs the server outside PATH, one directory per major version: the newest.
fn server_bin_dir() -> Result<PathBuf, String> {
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let version = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("postgres").exists().then_some((version, bin))
        })
        .collect();
    found.sort();
    if let Some((_, bin)) = found.pop() {
        return Ok(bin);
    }
    std::env::var_os("PATH")
        .into_iter()
        .flat_map(|path| std::env::split_paths(&path).collect::<Vec<_>>())
        .find(|dir| dir.join("postgres").exists() && dir.join("initdb").exists())
        .ok_or_else(|| "the Postgres server (initdb, postgres) is not installed".to_string())
}

/// As root, the `postgres` user's ids (the server will not run as root); otherwise None.
fn server_user() -> Result<Option<(u32, u32)>, String> {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        return Ok(None);
    }
    let id = |flag: &str| -> Result<u32, String> {
        let out = Command::new("id")
            .args([flag, "postgres"])
            .output()
            .map_err(|e| format!("cannot run id: {e}"))?;
        String::from_utf8_lossy(&out.stdout)
            .trim()
            .parse()
            .map_err(|_| {
                "running as root and there is no `postgres` user to run the server as".to_string()
            })
    };
    Ok(Some((id("-u")?, id("-g")?)))
}

fn as_owner(command: &mut Command, owner: Option<(u32, u32)>) {
    if let Some((uid, gid)) = owner {
        command.uid(uid).gid(gid);
    }
}

fn chown(path: &Path, uid: u32, gid: u32) -> Result<(), String> {
    std::os::unix::fs::chown(path, Some(uid), Some(gid))
        .map_err(|e| format!("cannot chown {}: {e}", path.display()))
}

fn free_port() -> Result<u16, String> {
    // Serialize: two clusters in one process never race for the same port.
    static LOCK: Mutex<()> = Mutex::new(());
    let _guard = LOCK.lock().unwrap_or_else(|p| p.into_inner());
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| format!("no free port: {e}"))
}
