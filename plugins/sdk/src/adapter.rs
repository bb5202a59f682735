//! Bridges the generated `Guest` trait to [`Plugin`]: owned wire values in, borrowed values
//! to the plugin.

use std::marker::PhantomData;

use crate::__private::exports::intake::plugin::processor::Guest;
use crate::{
    Account, Donation, Error, FileImport, Money, Page, PayoutPage, Person, Plugin, PluginInfo,
    Settings, Window,
};

#[doc(hidden)]
pub struct Adapter<P>(PhantomData<P>);

impl<P: Plugin> Guest for Adapter<P> {
    fn info() -> PluginInfo {
        P::info()
    }

    fn check(settings: Vec<(String, String)>) -> Result<Account, Error> {
        P::check(&Settings::from(settings))
    }

    fn fetch(
        settings: Vec<(String, String)>,
        window: Window,
        cursor: Option<String>,
    ) -> Result<Page, Error> {
        P::fetch(&Settings::from(settings), &window, cursor.as_deref())
    }

    fn fetch_payouts(
        settings: Vec<(String, String)>,
        window: Window,
        cursor: Option<String>,
    ) -> Result<PayoutPage, Error> {
        P::fetch_payouts(&Settings::from(settings), &window, cursor.as_deref())
    }

    fn parse_webhook(
        settings: Vec<(String, String)>,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    ) -> Result<Vec<Donation>, Error> {
        P::parse_webhook(&Settings::from(settings), &headers, &body)
    }

    fn parse_export(
        settings: Vec<(String, String)>,
        file_name: String,
        contents: Vec<u8>,
    ) -> Result<FileImport, Error> {
        P::parse_export(&Settings::from(settings), &file_name, &contents)
    }

    fn donation_link(
        settings: Vec<(String, String)>,
        page_url: String,
        donor: Person,
        amount: Option<Money>,
    ) -> Result<String, Error> {
        P::donation_link(
            &Settings::from(settings),
            &page_url,
            &donor,
            amount.as_ref(),
        )
    }
}
