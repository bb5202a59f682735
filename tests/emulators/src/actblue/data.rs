//! The seeded line items, written as ActBlue's CSVs would carry them (New York times, text
//! amounts, messy donor input), and beside each, by hand, what a correct plugin returns.
//! The expected values are worked out from ActBlue's documented rules, not from the plugin.

/// One line item as the CSV carries it.
#[derive(Debug, Clone)]
pub struct LineItem {
    pub lineitem_id: &'static str,
    pub receipt_id: &'static str,
    /// New York local time, as ActBlue writes it.
    pub date: &'static str,
    pub amount: &'static str,
    pub fee: &'static str,
    pub recurrence_number: &'static str,
    pub recurring_total_months: &'static str,
    pub recur_weekly: &'static str,
    pub recipient: &'static str,
    pub recipient_gov_id: &'static str,
    pub fundraising_page: &'static str,
    pub first: &'static str,
    pub last: &'static str,
    pub addr1: &'static str,
    pub addr2: &'static str,
    pub city: &'static str,
    pub state: &'static str,
    pub zip: &'static str,
    pub country: &'static str,
    pub email: &'static str,
    pub employer: &'static str,
    pub occupation: &'static str,
    pub donor_id: &'static str,
    /// (Refund ID, New York time) when refunded.
    pub refund: Option<(&'static str, &'static str)>,
}

/// (line1, line2, city, region, postal code, country)
pub type Address = (
    &'static str,
    Option<&'static str>,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
);

/// What a correct plugin returns for an entry: the fields the tests compare.
#[derive(Debug, Clone, PartialEq)]
pub struct Truth {
    pub id: &'static str,
    pub refund: bool,
    pub reverses: Option<&'static str>,
    pub amount: i64,
    pub fee: Option<i64>,
    /// UTC.
    pub received_at: &'static str,
    pub first: &'static str,
    pub last: &'static str,
    pub email: Option<&'static str>,
    pub address: Option<Address>,
    /// (weekly, installment, subscription id)
    pub recurrence: Option<(bool, Option<u32>, &'static str)>,
    /// The recipient's FEC id when earmarked through ActBlue (C00401224).
    pub earmarked_for: Option<&'static str>,
    pub source: Option<&'static str>,
}

const BLANK: LineItem = LineItem {
    lineitem_id: "",
    receipt_id: "",
    date: "",
    amount: "",
    fee: "",
    recurrence_number: "",
    recurring_total_months: "",
    recur_weekly: "",
    recipient: "Smith for Congress",
    recipient_gov_id: "C00123456",
    fundraising_page: "",
    first: "",
    last: "",
    addr1: "",
    addr2: "",
    city: "",
    state: "",
    zip: "",
    country: "United States",
    email: "",
    employer: "",
    occupation: "",
    donor_id: "",
    refund: None,
};

/// The seeded line items: all paid in May 2024 (New York time).
pub fn line_items() -> Vec<LineItem> {
    let jose = LineItem {
        first: "José",
        last: "Núñez",
        addr1: " 1 Main St ",
        addr2: "Apt 4, Rear",
        city: "Arlington",
        state: "va",
        zip: "22201-1234",
        email: "Jose@Example.com",
        employer: "Self",
        occupation: "Writer",
        donor_id: "d-1",
        ..BLANK
    };
    let zoe = LineItem {
        first: "Zoë",
        last: "O'Brien",
        addr1: "77 Elm St.",
        city: "Somerville",
        state: "MA",
        zip: "02144-0001",
        country: "USA",
        email: "zoe@example.org",
        donor_id: "d-2",
        ..BLANK
    };
    let sam = LineItem {
        first: "Sam",
        last: "Lee",
        addr1: "9 Oak Ave",
        city: "Dover",
        state: "DE",
        zip: "19901",
        email: "sam@example.net",
        donor_id: "d-3",
        ..BLANK
    };
    vec![
        // Just after midnight in New York on 1 May: 04:30 UTC, the window's first half hour.
        LineItem {
            lineitem_id: "1001",
            receipt_id: "AB100",
            date: "2024-05-01 00:30:00",
            amount: "25.00",
            fee: "0.99",
            fundraising_page: "spring-push",
            ..jose.clone()
        },
        // One contribution split between a federal and a state recipient.
        LineItem {
            lineitem_id: "2001",
            receipt_id: "AB200",
            date: "2024-05-10 14:00:00",
            amount: "10.00",
            fee: "0.40",
            ..zoe.clone()
        },
        LineItem {
            lineitem_id: "2002",
            receipt_id: "AB200",
            date: "2024-05-10 14:00:00",
            amount: "15.00",
            fee: "0.59",
            recipient: "Friends of Ana Ruiz",
            recipient_gov_id: "",
            ..zoe.clone()
        },
        // A monthly recurring gift: the receipt repeats, the line items do not. The second
        // installment is 11:30 pm on 31 May in New York: 1 June in UTC, still in May's window.
        LineItem {
            lineitem_id: "3001",
            receipt_id: "AB300",
            date: "2024-05-02 09:15:00",
            amount: "5.00",
            fee: "0.20",
            recurrence_number: "1",
            recurring_total_months: "12",
            ..sam.clone()
        },
        LineItem {
            lineitem_id: "3002",
            receipt_id: "AB300",
            date: "2024-05-31 23:30:00",
            amount: "5.00",
            fee: "0.20",
            recurrence_number: "2",
            recurring_total_months: "12",
            ..sam.clone()
        },
        // Weekly recurring, no pledge length.
        LineItem {
            lineitem_id: "3101",
            receipt_id: "AB310",
            date: "2024-05-20 12:00:00",
            amount: "3.00",
            fee: "0.12",
            recurrence_number: "3",
            recur_weekly: "true",
            ..jose.clone()
        },
        // Paid, then refunded the next day.
        LineItem {
            lineitem_id: "4001",
            receipt_id: "AB400",
            date: "2024-05-05 10:00:00",
            amount: "1000.00",
            fee: "39.50",
            refund: Some(("RF1", "2024-05-06 11:00:00")),
            ..sam.clone()
        },
        // No street: no address at all.
        LineItem {
            lineitem_id: "5001",
            receipt_id: "AB500",
            date: "2024-05-15 08:00:00",
            amount: "20.00",
            fee: "0.79",
            first: "  Ana  ",
            last: "Ruiz",
            email: "",
            donor_id: "d-5",
            ..BLANK
        },
    ]
}

/// What a correct plugin returns for May 2024 (New York), worked out by hand: EDT is UTC-4.
pub fn truth() -> Vec<Truth> {
    let jose_addr = Some((
        "1 Main St",
        Some("Apt 4, Rear"),
        "Arlington",
        "VA",
        "22201-1234",
        "US",
    ));
    let zoe_addr = Some(("77 Elm St.", None, "Somerville", "MA", "02144-0001", "US"));
    let sam_addr = Some(("9 Oak Ave", None, "Dover", "DE", "19901", "US"));
    let t = |id, amount, fee, received_at| Truth {
        id,
        refund: false,
        reverses: None,
        amount,
        fee: Some(fee),
        received_at,
        first: "",
        last: "",
        email: None,
        address: None,
        recurrence: None,
        earmarked_for: Some("C00123456"),
        source: None,
    };
    let jose = |x: Truth| Truth {
        first: "José",
        last: "Núñez",
        email: Some("jose@example.com"),
        address: jose_addr,
        ..x
    };
    let zoe = |x: Truth| Truth {
        first: "Zoë",
        last: "O'Brien",
        email: Some("zoe@example.org"),
        address: zoe_addr,
        ..x
    };
    let sam = |x: Truth| Truth {
        first: "Sam",
        last: "Lee",
        email: Some("sam@example.net"),
        address: sam_addr,
        ..x
    };
    vec![
        Truth {
            source: Some("spring-push"),
            ..jose(t("1001", 2500, 99, "2024-05-01T04:30:00Z"))
        },
        zoe(t("2001", 1000, 40, "2024-05-10T18:00:00Z")),
        Truth {
            earmarked_for: None,
            ..zoe(t("2002", 1500, 59, "2024-05-10T18:00:00Z"))
        },
        Truth {
            recurrence: Some((false, Some(1), "AB300")),
            ..sam(t("3001", 500, 20, "2024-05-02T13:15:00Z"))
        },
        Truth {
            recurrence: Some((false, Some(2), "AB300")),
            ..sam(t("3002", 500, 20, "2024-06-01T03:30:00Z"))
        },
        Truth {
            recurrence: Some((true, Some(3), "AB310")),
            ..jose(t("3101", 300, 12, "2024-05-20T16:00:00Z"))
        },
        sam(t("4001", 100000, 3950, "2024-05-05T14:00:00Z")),
        Truth {
            refund: true,
            reverses: Some("4001"),
            fee: None,
            ..sam(t("refund-4001", -100000, 0, "2024-05-06T15:00:00Z"))
        },
        Truth {
            first: "Ana",
            last: "Ruiz",
            ..t("5001", 2000, 79, "2024-05-15T12:00:00Z")
        },
    ]
}
