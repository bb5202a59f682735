//! Serving an axum router on a loopback port that the OS picks.

use std::net::SocketAddr;

use tokio::sync::oneshot;

/// A running server; it stops when dropped.
pub struct Running {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
}

impl Running {
    /// Serve `router` on 127.0.0.1 on a free port.
    pub async fn start(router: axum::Router) -> anyhow::Result<Running> {
        Running::start_on(router, 0).await
    }

    /// Serve `router` on 127.0.0.1 port `port` (0: a free one).
    pub async fn start_on(router: axum::Router, port: u16) -> anyhow::Result<Running> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
        let addr = listener.local_addr()?;
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = axum::serve(listener, router)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await;
        });
        Ok(Running {
            addr,
            stop: Some(stop),
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// "http://127.0.0.1:PORT": the base URL, and the origin an operator grants.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}
