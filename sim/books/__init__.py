"""What must balance: order lines and purchase orders, stock, and the money ledger."""
