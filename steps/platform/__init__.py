"""Steps of the platform suite: pagoconf plays GPD, ACA and Checkout for the partner's client."""
