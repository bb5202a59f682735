//! The emulator answers as Stripe does: checked over real HTTP on loopback.

use serde_json::Value;

use super::*;

async fn get(
    stripe: &StripeEmulator,
    auth: &str,
    path: &str,
) -> (u16, Vec<(String, String)>, Value) {
    let response = crate::webhooks::client()
        .get(format!("{}{path}", stripe.url()))
        .header("authorization", auth)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let headers = response
        .headers()
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_string()))
        .collect();
    let body = response.bytes().await.unwrap();
    (
        status,
        headers,
        serde_json::from_slice(&body).unwrap_or(Value::Null),
    )
}

fn bearer(stripe: &StripeEmulator, mode: Mode) -> String {
    format!("Bearer {}", stripe.key(mode))
}

fn ids(list: &Value) -> Vec<String> {
    list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn pages_newest_first_without_gaps_or_repeats() {
    let stripe = StripeEmulator::start(Config::new(3, 250)).await.unwrap();
    let auth = bearer(&stripe, Mode::Test);
    let mut seen = Vec::new();
    let mut after = String::new();
    loop {
        let (status, _, page) = get(&stripe, &auth, &format!("/v1/charges?limit=100{after}")).await;
        assert_eq!(status, 200, "{page}");
        assert_eq!(page["object"], "list");
        seen.extend(ids(&page));
        if !page["has_more"].as_bool().unwrap() {
            break;
        }
        after = format!("&starting_after={}", seen.last().unwrap());
    }
    let truth = stripe.ground_truth(Mode::Test);
    let expected: Vec<String> = truth.charges.iter().rev().map(|c| c.id.clone()).collect();
    assert_eq!(seen, expected);

    // ending_before walks back up: the page just newer than the object, newest first.
    let pivot = &expected[150];
    let (_, _, page) = get(
        &stripe,
        &auth,
        &format!("/v1/charges?limit=20&ending_before={pivot}"),
    )
    .await;
    assert_eq!(ids(&page), expected[130..150].to_vec());
    assert_eq!(page["has_more"], true);
}

#[tokio::test]
async fn filters_by_created_and_expands() {
    let stripe = StripeEmulator::start(Config::new(4, 300)).await.unwrap();
    let auth = bearer(&stripe, Mode::Test);
    let truth = stripe.ground_truth(Mode::Test);
    let (lo, hi) = (truth.charges[50].created, truth.charges[120].created);
    let (_, _, page) = get(
        &stripe,
        &auth,
        &format!("/v1/charges?limit=100&created[gte]={lo}&created[lt]={hi}"),
    )
    .await;
    let want = truth
        .charges
        .iter()
        .filter(|c| c.created >= lo && c.created < hi)
        .count();
    assert_eq!(ids(&page).len(), want);

    let (_, _, page) = get(
        &stripe,
        &auth,
        "/v1/charges?limit=100&expand[]=data.balance_transaction&expand[]=data.customer",
    )
    .await;
    for charge in page["data"].as_array().unwrap() {
        let truth = truth.charge(charge["id"].as_str().unwrap()).unwrap();
        match &truth.balance_transaction {
            Some(id) => assert_eq!(charge["balance_transaction"]["id"], id.as_str()),
            None => assert!(charge["balance_transaction"].is_null()),
        }
        if let Some(id) = &truth.customer {
            assert_eq!(charge["customer"]["object"], "customer");
            assert_eq!(charge["customer"]["id"], id.as_str());
        }
        assert_eq!(
            charge["billing_details"]["address"]
                .as_object()
                .unwrap()
                .len(),
            6
        );
    }

    let (status, _, body) = get(&stripe, &auth, "/v1/charges?limit=101").await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["type"], "invalid_request_error");
    let (status, _, body) = get(&stripe, &auth, "/v1/charges?colour=blue").await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (400, Some("parameter_unknown"))
    );
    let (status, _, body) = get(&stripe, &auth, "/v1/charges/ch_nope").await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (404, Some("resource_missing"))
    );
}

#[tokio::test]
async fn keys_open_their_own_mode_only() {
    let stripe = StripeEmulator::start(Config::new(5, 40)).await.unwrap();
    let live_charge = stripe.ground_truth(Mode::Live).charges[0].id.clone();
    let (status, _, _) = get(
        &stripe,
        &bearer(&stripe, Mode::Test),
        &format!("/v1/charges/{live_charge}"),
    )
    .await;
    assert_eq!(status, 404);
    let (status, _, body) = get(
        &stripe,
        &bearer(&stripe, Mode::Live),
        &format!("/v1/charges/{live_charge}"),
    )
    .await;
    assert_eq!((status, body["livemode"].as_bool()), (200, Some(true)));

    // Basic auth with the key as user.
    let basic = format!(
        "Basic {}",
        encode64(&format!("{}:", stripe.key(Mode::Test)))
    );
    let (status, _, body) = get(&stripe, &basic, "/v1/balance").await;
    assert_eq!((status, body["livemode"].as_bool()), (200, Some(false)));

    let (status, _, body) = get(&stripe, "Bearer sk_test_wrong", "/v1/account").await;
    assert_eq!(status, 401);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Invalid API Key")
    );
}

#[tokio::test]
async fn fault_knobs_answer_then_clear() {
    let stripe = StripeEmulator::start(Config::new(6, 10)).await.unwrap();
    let auth = bearer(&stripe, Mode::Test);
    stripe.set_fault(
        Fault::RateLimit {
            should_retry: Some(true),
            retry_after: Some(3),
        },
        1,
    );
    stripe.set_fault(
        Fault::ServerError {
            status: 503,
            should_retry: None,
        },
        1,
    );
    stripe.set_fault(Fault::Unreadable, 1);
    let (status, headers, body) = get(&stripe, &auth, "/v1/charges").await;
    assert_eq!(status, 429);
    assert!(headers.contains(&("stripe-should-retry".into(), "true".into())));
    assert!(headers.contains(&("retry-after".into(), "3".into())));
    assert_eq!(body["error"]["code"], "rate_limit");
    assert_eq!(get(&stripe, &auth, "/v1/charges").await.0, 503);
    let (status, _, body) = get(&stripe, &auth, "/v1/charges").await;
    assert_eq!((status, body), (200, Value::Null));
    assert_eq!(get(&stripe, &auth, "/v1/charges").await.0, 200);
    assert_eq!(stripe.request_count(), 4);
}

#[tokio::test]
async fn inserts_new_charges_while_a_client_pages() {
    let stripe = StripeEmulator::start(Config::new(7, 30)).await.unwrap();
    let auth = bearer(&stripe, Mode::Test);
    stripe.insert_charges_during_paging(2);
    let (_, _, first) = get(&stripe, &auth, "/v1/charges?limit=10").await;
    let last = ids(&first).pop().unwrap();
    get(
        &stripe,
        &auth,
        &format!("/v1/charges?limit=10&starting_after={last}"),
    )
    .await;
    assert_eq!(stripe.ground_truth(Mode::Test).charges.len(), 32);
}

#[tokio::test]
async fn balance_transactions_of_a_payout_net_to_it() {
    let stripe = StripeEmulator::start(Config::new(8, 200)).await.unwrap();
    let auth = bearer(&stripe, Mode::Test);
    let truth = stripe.ground_truth(Mode::Test);
    let payout = &truth.payouts[truth.payouts.len() / 2];
    let (_, _, page) = get(
        &stripe,
        &auth,
        &format!("/v1/balance_transactions?limit=100&payout={}", payout.id),
    )
    .await;
    let net: i64 = page["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|b| b["type"] != "payout")
        .map(|b| b["net"].as_i64().unwrap())
        .sum();
    assert_eq!(net, payout.amount);
    assert!(
        page["data"]
            .as_array()
            .unwrap()
            .iter()
            .any(|b| b["type"] == "payout")
    );
}

fn encode64(text: &str) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let bytes = text.as_bytes();
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(A[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[tokio::test]
async fn stripe_account_scopes_to_the_connected_accounts_own_data() {
    let stripe = StripeEmulator::start(Config {
        connected_accounts: vec!["acct_1Committee0001".into()],
        ..Config::new(4, 30)
    })
    .await
    .unwrap();
    let as_account = |account: &str| {
        crate::webhooks::client()
            .get(format!("{}/v1/charges?limit=100", stripe.url()))
            .header("authorization", bearer(&stripe, Mode::Test))
            .header("stripe-account", account)
    };
    let response = as_account("acct_1Committee0001").send().await.unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let page: Value = serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
    let theirs = stripe
        .ground_truth_of("acct_1Committee0001", Mode::Test)
        .unwrap();
    let mut want: Vec<String> = theirs.charges.iter().rev().map(|c| c.id.clone()).collect();
    want.truncate(100);
    assert_eq!(ids(&page), want);
    let own = stripe.ground_truth(Mode::Test);
    assert!(ids(&page).iter().all(|id| own.charge(id).is_none()));
    let refused = as_account("acct_1NotConnected").send().await.unwrap();
    assert_eq!(refused.status().as_u16(), 403);
    assert_eq!(
        stripe.request_accounts(),
        vec![
            Some("acct_1Committee0001".to_string()),
            Some("acct_1NotConnected".to_string())
        ]
    );
}

#[tokio::test]
async fn an_authorization_has_no_balance_transaction_until_captured() {
    let stripe = StripeEmulator::start(Config::new(5, 10)).await.unwrap();
    let created = now() - 5 * 86_400;
    let held = stripe.authorize(Mode::Test, created);
    assert!(!held.captured && held.balance_transaction.is_none());
    let truth = stripe.ground_truth(Mode::Test);
    assert_eq!(truth.settled_at(truth.charge(&held.id).unwrap()), None);
    let captured = stripe
        .settle(Mode::Test, &held.id, created + 3 * 86_400)
        .unwrap();
    assert!(captured.captured && captured.amount_captured == captured.amount);
    let truth = stripe.ground_truth(Mode::Test);
    assert_eq!(
        truth.settled_at(truth.charge(&held.id).unwrap()),
        Some(created + 3 * 86_400)
    );
    assert!(stripe.settle(Mode::Test, &held.id, now()).is_none(), "once");
    let debit = stripe.debit(Mode::Test, created);
    assert_eq!(debit.status, "pending");
    let cleared = stripe
        .settle(Mode::Test, &debit.id, created + 4 * 86_400)
        .unwrap();
    assert_eq!(cleared.status, "succeeded");
    // A server that ignores `created[…]`: the page holds what is outside the range.
    stripe.set_fault(Fault::OutOfWindow, 1);
    let auth = bearer(&stripe, Mode::Test);
    let (_, _, page) = get(
        &stripe,
        &auth,
        "/v1/charges?limit=100&created[gte]=99999999999",
    )
    .await;
    assert!(!ids(&page).is_empty());
}
