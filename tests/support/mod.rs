pub mod balance_sim;
