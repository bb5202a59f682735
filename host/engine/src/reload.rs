//! Hot swap of plugins (in progress).
