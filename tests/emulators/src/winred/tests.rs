use std::collections::HashSet;

use serde_json::Value;

use super::*;

async fn get(e: &WinRedEmulator, token: &str, path_and_query: &str) -> (u16, Value) {
    let r = crate::webhooks::client()
        .get(format!("{}{path_and_query}", e.url()))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let bytes = r.bytes().await.unwrap();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

/// Every id of a list, page by page.
async fn walk(e: &WinRedEmulator, token: &str, path: &str, limit: usize) -> Vec<String> {
    let (since, until) = e.window();
    let mut ids: Vec<String> = Vec::new();
    loop {
        let mut q = format!("{path}?since={since}&until={until}&limit={limit}");
        if let Some(last) = ids.last() {
            q.push_str(&format!("&starting_after={last}"));
        }
        let (status, body) = get(e, token, &q).await;
        assert_eq!(status, 200, "{body}");
        ids.extend(
            body["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| d["id"].as_str().unwrap().to_string()),
        );
        if !body["has_more"].as_bool().unwrap() {
            return ids;
        }
    }
}

#[tokio::test]
async fn pages_cover_each_list_once_in_order() {
    let e = WinRedEmulator::start(Config::new(1).federal("C00123456", 300))
        .await
        .unwrap();
    let token = e.committee(0).token.clone();
    let truth = e.ground_truth(0);
    let ids = walk(&e, &token, "/v1/donations", 7).await;
    assert_eq!(
        ids,
        truth
            .donations
            .iter()
            .map(|d| d.id.clone())
            .collect::<Vec<_>>()
    );
    assert_eq!(
        walk(&e, &token, "/v1/refunds", 3).await.len(),
        truth.refunds.len()
    );
    assert_eq!(
        walk(&e, &token, "/v1/disputes", 3).await.len(),
        truth.disputes.len()
    );
    assert_eq!(
        walk(&e, &token, "/v1/payouts", 2).await.len(),
        truth.payouts.len()
    );
    assert!(!truth.refunds.is_empty() && !truth.disputes.is_empty() && truth.payouts.len() > 5);
    // Equal timestamps exist, so the id breaks ties.
    assert!(
        truth
            .donations
            .windows(2)
            .any(|w| w[0].created_at == w[1].created_at)
    );
}

#[tokio::test]
async fn the_data_has_the_messy_cases() {
    let e = WinRedEmulator::start(Config::new(2).federal("C00123456", 400))
        .await
        .unwrap();
    let t = e.ground_truth(0);
    let donors: Vec<&Donor> = t.donations.iter().map(|d| &d.donor).collect();
    assert!(
        donors
            .iter()
            .any(|d| d.truth.middle_name.is_some() && d.middle_name.is_none()),
        "initial typed in the first name"
    );
    assert!(
        donors
            .iter()
            .any(|d| d.truth.suffix.is_some() && d.suffix.is_none()),
        "suffix typed in the last name"
    );
    assert!(
        donors
            .iter()
            .any(|d| d.first_name.chars().all(|c| !c.is_lowercase()) && d.first_name.len() > 2),
        "all caps"
    );
    assert!(
        donors
            .iter()
            .any(|d| !d.last_name.is_ascii() || !d.first_name.is_ascii()),
        "non-ASCII"
    );
    assert!(
        donors
            .iter()
            .any(|d| d.employer != d.truth.employer.clone().unwrap()),
        "employer variants"
    );
    assert!(
        donors
            .iter()
            .any(|d| d.address.as_ref().unwrap().zip.contains('-')),
        "ZIP+4"
    );
    assert!(
        donors
            .iter()
            .any(|d| d.truth.address.as_ref().unwrap().line2.is_some()),
        "apartment lines"
    );
    assert!(
        t.donations
            .iter()
            .any(|d| d.recurring.as_ref().is_some_and(|r| r.installment > 2)),
        "recurring"
    );
    assert!(
        t.donations.iter().any(|d| d.fee.is_none()),
        "unsettled donations carry no fee"
    );
    assert!(t.disputes.iter().any(|d| d.kind == DisputeKind::Reversal) || t.disputes.len() < 4);
}

#[tokio::test]
async fn payouts_add_up() {
    let e = WinRedEmulator::start(Config::new(3).state(300))
        .await
        .unwrap();
    let t = e.ground_truth(0);
    let token = e.committee(0).token.clone();
    let mut seen = HashSet::new();
    for p in &t.payouts {
        assert_eq!(p.gross - p.fees, p.net);
        let mut covered = 0;
        for tx in &p.transactions {
            assert!(seen.insert(tx.id.clone()), "{} settled twice", tx.id);
            covered += tx.amount - tx.fee;
        }
        assert_eq!(covered, p.net);
    }
    let first = &t.payouts[0];
    let (status, body) = get(
        &e,
        &token,
        &format!("/v1/payouts/{}/transactions?limit=1000", first.id),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        body["data"].as_array().unwrap().len(),
        first.transactions.len()
    );
}

#[tokio::test]
async fn tokens_open_only_their_committee_and_errors_have_bodies() {
    let e = WinRedEmulator::start(Config::new(4).federal("C00123456", 20).state(20))
        .await
        .unwrap();
    let (status, body) = get(&e, "nope", "/v1/me").await;
    assert_eq!(
        (status, body["error"]["type"].as_str()),
        (401, Some("unauthorized"))
    );
    let (_, me) = get(&e, &e.committee(1).token, "/v1/me").await;
    assert_eq!(me["committee"]["funding_type"], "merchant");
    let (status, _) = get(&e, &e.committee(0).token, "/v1/donations?limit=5").await;
    assert_eq!(status, 400, "since is required");
    let (status, _) = get(
        &e,
        &e.committee(0).token,
        "/v1/donations?since=2020-01-01T00:00:00Z&starting_after=dn_x",
    )
    .await;
    assert_eq!(status, 404);
    let (status, _) = get(
        &e,
        &e.committee(0).token,
        "/v1/donations?since=2020-01-01T00:00:00Z&page=2",
    )
    .await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn faults_answer_the_next_requests() {
    let e = WinRedEmulator::start(Config::new(5).federal("C00123456", 10))
        .await
        .unwrap();
    let token = e.committee(0).token.clone();
    e.set_fault(
        Fault::RateLimit {
            retry_after: Some(3),
        },
        1,
    );
    e.set_fault(Fault::ServerError(503), 1);
    let r = crate::webhooks::client()
        .get(format!("{}/v1/me", e.url()))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(
        (
            r.status().as_u16(),
            r.headers()["retry-after"].to_str().unwrap()
        ),
        (429, "3")
    );
    assert_eq!(get(&e, &token, "/v1/me").await.0, 503);
    assert_eq!(get(&e, &token, "/v1/me").await.0, 200);
}

#[tokio::test]
async fn inserts_while_paging_appear_once_at_the_end() {
    let e = WinRedEmulator::start(Config::new(6).federal("C00123456", 50))
        .await
        .unwrap();
    let token = e.committee(0).token.clone();
    e.insert_during_paging(2);
    let ids = walk(&e, &token, "/v1/donations", 10).await;
    let unique: HashSet<_> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len());
    let truth = e.ground_truth(0);
    assert!(truth.donations.len() > 50);
    // Created before each continuing page is answered, after every existing donation: the
    // listing finds each of them once, in order.
    assert_eq!(
        ids,
        truth
            .donations
            .iter()
            .map(|d| d.id.clone())
            .collect::<Vec<_>>()
    );
}

#[test]
fn webhook_signatures_cover_timestamp_and_body() {
    let (headers, body) = webhook::delivery(
        &serde_json::json!({"type": "donation.created"}),
        &["s1", "s2"],
        1_700_000_000,
    );
    let sig = &headers
        .iter()
        .find(|(k, _)| k == "X-WinRed-Signature")
        .unwrap()
        .1;
    assert_eq!(
        sig,
        &format!(
            "t=1700000000,v1={},v1={}",
            webhook::sign("s1", 1_700_000_000, &body),
            webhook::sign("s2", 1_700_000_000, &body)
        )
    );
    assert_ne!(
        webhook::sign("s1", 1_700_000_000, &body),
        webhook::sign("s1", 1_700_000_001, &body)
    );
}
