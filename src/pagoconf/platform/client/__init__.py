"""pagoconf's reference GPD, ACA and Checkout client: a small conformant client of the platform, driven
through the partner adapter protocol as a command (`python -m pagoconf.platform.client`), with named
defects that each break one rule. The command imports nothing beyond the standard library and this
package: it starts once per request."""
