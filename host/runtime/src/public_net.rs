//! Only the public internet for what a plugin merely declared.
//!
//! A plugin's declared origin is its own word: a name it declares may resolve (or be rebound)
//! to the host's loopback, the campaign's private network or a cloud metadata service. The
//! host therefore connects to a declared-only origin only at public addresses: IP literals are
//! checked before the request, names are checked after DNS resolution by the resolver the
//! connection itself uses (so a name cannot resolve one way for a check and another way for
//! the connection). An origin the operator granted is reached wherever it points.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// Whether `ip` is a public unicast address: not loopback, private, link-local (cloud
/// metadata lives there), unspecified, shared (CGNAT), multicast, broadcast, documentation,
/// benchmarking or reserved; an IPv6 address embedding an IPv4 one is judged by that one.
pub(crate) fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_broadcast()
        || ip.is_documentation()
        || ip.is_multicast()
        || a == 0 // "this network"
        || (a == 100 && (64..128).contains(&b)) // shared address space (CGNAT)
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
        || (a == 198 && (b == 18 || b == 19)) // benchmarking
        || a >= 240) // reserved
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    if let Some(v4) = embedded_v4(ip) {
        return is_public_v4(v4);
    }
    let first = ip.segments()[0];
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        || (first & 0xfe00) == 0xfc00 // unique local (fd00:ec2::254 is AWS metadata)
        || (first & 0xffc0) == 0xfe80 // link-local
        || (first & 0xffc0) == 0xfec0 // site-local (deprecated, still routed by some)
        || first == 0x2001 && ip.segments()[1] == 0x0db8 // documentation
        || first == 0x0100 && ip.segments()[1..4] == [0, 0, 0]) // discard-only
}

/// The IPv4 address inside an IPv4-mapped (`::ffff:a.b.c.d`), IPv4-compatible (`::a.b.c.d`),
/// NAT64 (`64:ff9b::/96`) or 6to4 (`2002::/16`) address: each reaches that IPv4 host.
fn embedded_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let s = ip.segments();
    let low =
        |hi: u16, lo: u16| Ipv4Addr::new((hi >> 8) as u8, hi as u8, (lo >> 8) as u8, lo as u8);
    if let Some(v4) = ip.to_ipv4_mapped() {
        return Some(v4);
    }
    if s[..6] == [0, 0, 0, 0, 0, 0] && !(s[6] == 0 && s[7] <= 1) {
        return Some(low(s[6], s[7]));
    }
    if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        return Some(low(s[6], s[7]));
    }
    if s[0] == 0x2002 {
        return Some(low(s[1], s[2]));
    }
    None
}

/// Refuse an IP-literal host that is not public (names go through [`PublicResolver`]).
pub(crate) fn check_literal(url: &url::Url) -> Result<(), String> {
    let ip = match url.host() {
        Some(url::Host::Ipv4(v4)) => IpAddr::V4(v4),
        Some(url::Host::Ipv6(v6)) => IpAddr::V6(v6),
        _ => return Ok(()),
    };
    if is_public(ip) {
        Ok(())
    } else {
        Err(refusal(&ip.to_string()))
    }
}

fn refusal(what: &str) -> String {
    format!(
        "{what} is not a public address: a plugin reaches loopback, private, link-local and \
         metadata addresses only at an origin the operator granted"
    )
}

/// The resolver's refusal, found again in the transport error's source chain so the plugin
/// is told `denied` with the reason rather than a bare connection failure.
#[derive(Debug)]
pub(crate) struct NotPublic(pub(crate) String);

impl std::fmt::Display for NotPublic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for NotPublic {}

/// The refusal inside a failed request, if the resolver refused.
pub(crate) fn refused_in<'a>(
    error: &'a (dyn std::error::Error + 'static),
) -> Option<&'a NotPublic> {
    let mut current = Some(error);
    while let Some(e) = current {
        if let Some(refused) = e.downcast_ref::<NotPublic>() {
            return Some(refused);
        }
        current = e.source();
    }
    None
}

/// A DNS resolver that hands the connection only public addresses.
#[derive(Debug, Default)]
pub(crate) struct PublicResolver;

impl Resolve for PublicResolver {
    fn resolve(&self, name: Name) -> Resolving {
        Box::pin(async move {
            let host = name.as_str().to_string();
            let resolved: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let public: Vec<SocketAddr> = resolved
                .iter()
                .copied()
                .filter(|a| is_public(a.ip()))
                .collect();
            if public.is_empty() {
                let shown = resolved
                    .first()
                    .map(|a| format!("`{host}` (resolves to {})", a.ip()))
                    .unwrap_or_else(|| format!("`{host}`"));
                return Err(Box::new(NotPublic(refusal(&shown))) as _);
            }
            Ok(Box::new(public.into_iter()) as Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn public(text: &str) -> bool {
        is_public(text.parse().unwrap())
    }

    #[test]
    fn the_addresses_a_plugin_must_not_reach_by_declaring_them() {
        for ip in [
            "127.0.0.1",
            "127.255.0.9",
            "0.0.0.0",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254", // cloud metadata
            "100.64.0.1",
            "255.255.255.255",
            "224.0.0.1",
            "240.0.0.1",
            "::",
            "::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "::127.0.0.1",
            "64:ff9b::a00:1", // NAT64 of 10.0.0.1
            "2002:7f00:1::",  // 6to4 of 127.0.0.1
            "fd00:ec2::254",  // AWS metadata over IPv6
            "fe80::1",
            "ff02::1",
        ] {
            assert!(!public(ip), "{ip} must not count as public");
        }
    }

    #[test]
    fn the_public_internet_stays_reachable() {
        for ip in [
            "8.8.8.8",
            "54.187.174.169", // an api.stripe.com address
            "172.32.0.1",
            "100.128.0.1",
            "2606:4700::6810:84e5",
            "::ffff:8.8.8.8",
            "64:ff9b::808:808",
        ] {
            assert!(public(ip), "{ip} is public");
        }
    }

    #[test]
    fn literals_in_every_spelling_are_judged_by_the_address() {
        // The URL parser normalizes decimal, hex and short forms before the check sees them.
        for url in [
            "http://2130706433:8080/",
            "http://0x7f.1:8080/",
            "http://127.1:8080/",
            "http://[::ffff:127.0.0.1]:8080/",
            "http://0.0.0.0:8080/",
            "http://169.254.169.254/latest/meta-data",
        ] {
            let parsed = url::Url::parse(url).unwrap();
            let err = check_literal(&parsed).unwrap_err();
            assert!(err.contains("is not a public address"), "{url}: {err}");
        }
        assert!(check_literal(&url::Url::parse("https://api.stripe.com/").unwrap()).is_ok());
        assert!(check_literal(&url::Url::parse("https://8.8.8.8/").unwrap()).is_ok());
    }
}
