//! `cinetpay-sandbox`: a local CinetPay Checkout API v2 for development.

fn main() {}
