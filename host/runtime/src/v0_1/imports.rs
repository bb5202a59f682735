//! What the host lends a 0.1 plugin: `http`, `secrets` and `log`.

use super::intake::plugin::{http, log, secrets, types};
use crate::sandbox::CallState;

impl types::Host for CallState {}

impl log::Host for CallState {
    fn log(&mut self, level: log::Level, message: String) {
        let level = match level {
            log::Level::Trace => tracing::Level::TRACE,
            log::Level::Debug => tracing::Level::DEBUG,
            log::Level::Info => tracing::Level::INFO,
            log::Level::Warn => tracing::Level::WARN,
            log::Level::Error => tracing::Level::ERROR,
        };
        self.log.emit(&self.plugin_id, level, &message);
    }
}

impl secrets::Host for CallState {
    fn verify_hmac_sha256(
        &mut self,
        key: String,
        data: Vec<u8>,
        signatures: Vec<Vec<u8>>,
    ) -> Result<bool, String> {
        let secret = self
            .secrets
            .get(&key)
            .ok_or_else(|| format!("this integration has no secret `{key}`"))?;
        if self.hmac_calls_left == 0 {
            return Err(
                "verify-hmac-sha256 was called more times in this call than verifying one delivery needs"
                    .into(),
            );
        }
        self.hmac_calls_left -= 1;
        crate::secrets::verify_hmac_sha256(secret, &key, &data, &signatures)
    }

    fn verify_basic(
        &mut self,
        user: String,
        key: String,
        authorization: String,
    ) -> Result<bool, String> {
        let secret = self
            .secrets
            .get(&key)
            .ok_or_else(|| format!("this integration has no secret `{key}`"))?;
        // The same budget as HMAC checks: one delivery needs one or two, a guesser thousands.
        if self.hmac_calls_left == 0 {
            return Err(
                "verify-basic was called more times in this call than verifying one delivery needs"
                    .into(),
            );
        }
        self.hmac_calls_left -= 1;
        Ok(crate::secrets::verify_basic(secret, &user, &authorization))
    }
}

impl http::Host for CallState {
    async fn send(&mut self, request: http::Request) -> Result<http::Response, http::HttpError> {
        self.outbound.send(request).await
    }
}
