//! The paths `outbound.rs` and `policy.rs` import their types by, kept while those modules
//! move to host-owned types of their own: the wire records of contract 0.1 for HTTP, the
//! host's `PluginInfo` for the policy.

pub(crate) mod intake {
    pub(crate) mod plugin {
        pub(crate) mod http {
            pub(crate) use crate::v0_1::intake::plugin::http::{HttpError, Request, Response};
        }
        pub(crate) mod types {
            pub(crate) use crate::types::PluginInfo;
        }
    }
}
