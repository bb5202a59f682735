//! Webhooks, payouts, the dashboard export and Payment Links.

use super::*;

/// A webhook endpoint on loopback: hands each delivery (headers, body) to the test.
async fn receiver() -> (
    String,
    tokio::sync::mpsc::UnboundedReceiver<(Vec<(String, String)>, Vec<u8>)>,
) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
        .await
        .unwrap();
    let url = format!("http://{}/webhooks/stripe", listener.local_addr().unwrap());
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let mut data = Vec::new();
            let mut buf = [0u8; 8192];
            let (head_end, length) = loop {
                let n = socket.read(&mut buf).await.unwrap_or(0);
                if n == 0 {
                    break (None, 0);
                }
                data.extend_from_slice(&buf[..n]);
                if let Some(i) = data.windows(4).position(|w| w == b"\r\n\r\n") {
                    let head = String::from_utf8_lossy(&data[..i]).to_string();
                    let length = head
                        .lines()
                        .find_map(|l| {
                            l.to_ascii_lowercase()
                                .strip_prefix("content-length:")
                                .map(|v| v.trim().parse().unwrap_or(0))
                        })
                        .unwrap_or(0);
                    break (Some(i), length);
                }
            };
            let Some(head_end) = head_end else { continue };
            while data.len() < head_end + 4 + length {
                let n = socket.read(&mut buf).await.unwrap_or(0);
                if n == 0 {
                    break;
                }
                data.extend_from_slice(&buf[..n]);
            }
            let head = String::from_utf8_lossy(&data[..head_end]).to_string();
            let headers = head
                .lines()
                .skip(1)
                .filter_map(|l| l.split_once(':'))
                .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
                .collect();
            let body = data[head_end + 4..].to_vec();
            let _ = tx.send((headers, body));
            let _ = socket
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
                .await;
        }
    });
    (url, rx)
}

#[tokio::test]
async fn webhook_signatures_good_bad_stale_and_rotated() {
    let stripe = StripeEmulator::start(Config::new(19, 300)).await.unwrap();
    let host = host().await;
    let integration = integration(&stripe, Mode::Test);
    let truth = stripe.ground_truth(Mode::Test);
    let (want, _) = expected(&truth);
    let (url, mut deliveries) = receiver().await;

    // Delivered over HTTP by the emulator, read through the host.
    // (Event objects come unexpanded: a donor known only from the customer object gets
    // their email with the next fetch.)
    let paid = truth
        .charges
        .iter()
        .find(|c| c.status == "succeeded" && c.captured && c.billing_details.email.is_some())
        .unwrap();
    let event = stripe
        .event(Mode::Test, "charge.succeeded", &paid.id)
        .unwrap();
    assert_eq!(
        stripe
            .send_webhook(&url, &event, &[WEBHOOK_SECRET])
            .await
            .unwrap(),
        200
    );
    let (headers, body) = deliveries.recv().await.unwrap();
    let donations = host
        .parse_webhook(&integration, &headers, &body)
        .await
        .unwrap();
    assert_eq!(donations.len(), 1);
    let (got, fetched) = (&donations[0], &want[&paid.id]);
    assert_eq!(
        (&got.id, &got.amount, &got.received_at, &got.donor.email),
        (
            &fetched.id,
            &fetched.amount,
            &fetched.received_at,
            &fetched.donor.email
        )
    );

    // Rotation: the old and the new secret both sign; one matching v1 is enough.
    let refunded = truth
        .charges
        .iter()
        .find(|c| c.refunds.data.len() == 2)
        .unwrap();
    let event = stripe
        .event(Mode::Test, "charge.refunded", &refunded.id)
        .unwrap();
    let (headers, body) =
        emu::webhook::delivery(&event, &["whsec_e2e_previous", WEBHOOK_SECRET], now());
    let donations = host
        .parse_webhook(&integration, &headers, &body)
        .await
        .unwrap();
    let refund_ids: BTreeSet<String> = refunded.refunds.data.iter().map(|r| r.id.clone()).collect();
    assert_eq!(no_duplicates(&donations), refund_ids);
    assert!(
        donations
            .iter()
            .all(|d| matches!(d.kind, DonationKind::Refund)
                && d.reverses.as_deref() == Some(refunded.id.as_str()))
    );

    let disputed = truth.disputes.iter().find(|d| d.status == "won").unwrap();
    let event = stripe
        .event(Mode::Test, "charge.dispute.closed", &disputed.id)
        .unwrap();
    let (headers, body) = emu::webhook::delivery(&event, &[WEBHOOK_SECRET], now());
    let donations = host
        .parse_webhook(&integration, &headers, &body)
        .await
        .unwrap();
    let kinds: Vec<DonationKind> = donations.iter().map(|d| d.kind).collect();
    assert_eq!(
        kinds,
        vec![DonationKind::Chargeback, DonationKind::ChargebackReversal]
    );
    assert_eq!(donations[0].id, disputed.id);

    // Anything else is acknowledged and ignored.
    let payout = &truth.payouts[0];
    let event = stripe.event(Mode::Test, "payout.paid", &payout.id).unwrap();
    let (headers, body) = emu::webhook::delivery(&event, &[WEBHOOK_SECRET], now());
    assert_eq!(
        host.parse_webhook(&integration, &headers, &body)
            .await
            .unwrap(),
        Vec::<Donation>::new()
    );

    let event = stripe
        .event(Mode::Test, "charge.succeeded", &paid.id)
        .unwrap();
    let auth_error = |r: Result<Vec<Donation>, CallError>| {
        matches!(r, Err(CallError::Plugin(PluginError::Auth(_))))
    };
    // Signed with another secret.
    let (headers, body) = emu::webhook::delivery(&event, &["whsec_someone_else"], now());
    assert!(auth_error(
        host.parse_webhook(&integration, &headers, &body).await
    ));
    // Stale: signed six minutes ago (a replay).
    let (headers, body) = emu::webhook::delivery(&event, &[WEBHOOK_SECRET], now() - 360);
    assert!(auth_error(
        host.parse_webhook(&integration, &headers, &body).await
    ));
    // Body changed after signing.
    let (headers, mut body) = emu::webhook::delivery(&event, &[WEBHOOK_SECRET], now());
    let at = body
        .windows(4)
        .position(|w| w == b"2700" || w == b"\"amo")
        .unwrap();
    body[at + 1] ^= 1;
    assert!(auth_error(
        host.parse_webhook(&integration, &headers, &body).await
    ));
    // No signature at all.
    assert!(auth_error(
        host.parse_webhook(&integration, &[], &body).await
    ));
}

#[tokio::test]
async fn payouts_settle_the_donations_fetch_returned() {
    let stripe = StripeEmulator::start(Config::new(20, 800)).await.unwrap();
    let host = host().await;
    let integration = integration(&stripe, Mode::Test);
    let truth = stripe.ground_truth(Mode::Test);
    let pass = fetch_from(&host, &integration, &all_time(), None).await;
    let by_id: BTreeMap<String, Donation> = pass
        .donations
        .iter()
        .map(|d| (d.id.clone(), d.clone()))
        .collect();
    let fee_ids: BTreeSet<String> = pass.fees.iter().map(|f| f.id.clone()).collect();

    let mut payouts = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page = host
            .fetch_payouts(&integration, &all_time(), cursor.as_deref())
            .await
            .unwrap();
        payouts.extend(page.payouts);
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    let want: BTreeSet<&String> = truth
        .payouts
        .iter()
        .filter(|p| p.status == "paid")
        .map(|p| &p.id)
        .collect();
    assert_eq!(payouts.iter().map(|p| &p.id).collect::<BTreeSet<_>>(), want);
    assert_eq!(payouts.len(), want.len(), "no payout twice");
    for p in &payouts {
        let stripe_payout = truth.payouts.iter().find(|t| t.id == p.id).unwrap();
        assert_eq!(
            p.net.minor_units, stripe_payout.amount,
            "{}: what reached the bank",
            p.id
        );
        assert_eq!(p.gross.minor_units - p.fees.minor_units, p.net.minor_units);
        assert_eq!(p.paid_at, rfc3339(stripe_payout.arrival_date));
        // Each id is a donation fetch returned, and their amounts add up to the gross.
        let gross: i64 = p
            .donation_ids
            .iter()
            .map(|id| {
                by_id
                    .get(id)
                    .unwrap_or_else(|| panic!("{id} of {} was not fetched", p.id))
                    .amount
                    .minor_units
            })
            .sum();
        assert_eq!(gross, p.gross.minor_units, "{}", p.id);
        assert!(
            p.fee_ids.iter().all(|id| fee_ids.contains(id)),
            "{:?}",
            p.fee_ids
        );
        assert_eq!(p.donation_ids.len(), truth.payout_members[&p.id].len());
    }
}

#[tokio::test]
async fn a_dashboard_export_and_a_payment_link() {
    let stripe = StripeEmulator::start(Config::new(21, 60)).await.unwrap();
    let host = host().await;
    let integration = integration(&stripe, Mode::Test);
    let truth = stripe.ground_truth(Mode::Test);
    let mut csv = String::from(
        "id,Created date (UTC),Amount,Amount Refunded,Currency,Fee,Mode,Status,Customer ID,Customer Email,Card Name\n",
    );
    for c in &truth.charges {
        let bt = c
            .balance_transaction
            .as_deref()
            .and_then(|id| truth.balance_transaction(id));
        let status = match c.status.as_str() {
            "succeeded" if !c.captured => "Uncaptured",
            "succeeded" => "Paid",
            "failed" => "Failed",
            _ => "Pending",
        };
        let when = rfc3339(c.created).replace('T', " ").replace('Z', "");
        let fee = bt
            .map(|b| format!("{}.{:02}", b.fee / 100, b.fee % 100))
            .unwrap_or_default();
        let name = c
            .billing_details
            .name
            .clone()
            .unwrap_or_default()
            .replace('"', "");
        csv.push_str(&format!(
            "{},{when},{}.{:02},0.00,usd,{fee},Test,{status},{},{},\"{name}\"\n",
            c.id,
            c.amount / 100,
            c.amount % 100,
            c.customer.clone().unwrap_or_default(),
            c.billing_details.email.clone().unwrap_or_default()
        ));
    }
    let import = host
        .parse_export(&integration, "payments.csv", csv.as_bytes())
        .await
        .unwrap();
    let paid: BTreeSet<String> = truth
        .charges
        .iter()
        .filter(|c| c.status == "succeeded" && c.captured)
        .map(|c| c.id.clone())
        .collect();
    assert_eq!(
        no_duplicates(&import.donations),
        paid,
        "same ids as fetch gives"
    );
    assert_eq!(
        import.rejected.len(),
        truth.charges.len() - paid.len(),
        "every other row is rejected, with its line"
    );
    let (want, _) = expected(&truth);
    for d in &import.donations {
        assert_eq!(
            (&d.amount, &d.received_at, &d.fee),
            (
                &want[&d.id].amount,
                &want[&d.id].received_at,
                &want[&d.id].fee
            ),
            "{}",
            d.id
        );
    }

    let donor = want
        .values()
        .find(|d| d.donor.email.is_some() && d.donor.processor_donor_id.is_some())
        .unwrap()
        .donor
        .clone();
    let link = host
        .donation_link(
            &integration,
            "https://buy.stripe.com/test_6oE5mB3x",
            &donor,
            None,
        )
        .await
        .unwrap();
    let email = donor.email.unwrap().replace('@', "%40");
    assert_eq!(
        link,
        format!(
            "https://buy.stripe.com/test_6oE5mB3x?prefilled_email={email}&client_reference_id={}",
            donor.processor_donor_id.unwrap()
        )
    );
    assert!(
        host.donation_link(
            &integration,
            "javascript:alert(1)",
            &donor_without_email(),
            None
        )
        .await
        .is_err()
    );
}

fn donor_without_email() -> intake_host::types::Person {
    intake_host::types::Person {
        prefix: None,
        first_name: "Ann".into(),
        middle_name: None,
        last_name: "Lee".into(),
        suffix: None,
        email: None,
        phone: None,
        address: None,
        employer: None,
        occupation: None,
        processor_donor_id: None,
    }
}
