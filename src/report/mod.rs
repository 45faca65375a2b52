pub mod balance_text;
