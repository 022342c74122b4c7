# Crypto-mining protocols (ids 200-299, analyzer stratum.c). A match here
# is only a candidate: stratum.c confirms it with the JSON-RPC framing
# (method, params and id in one object) before it reports anything, so a
# web API that mentions "mining.notify" in a string stays clean.
#
# Not single-match: job pushes and shares are counted. Whitespace-tolerant
# around ':' as JSON allows; both directions. Method names follow
#   Stratum v1  (slushpool's stratum-mining, BIP 310 for configure),
#   CryptoNote / XMRig (xmrig docs/PROTOCOL, stratum "login/job/submit"),
#   EthProxy / Ethereum stratum (eth-proxy, EthereumStratum/1.0),
#   getwork / getblocktemplate / submitblock (BIP 22/23, bitcoind RPC).
# Ids are grouped by dialect; stratum.c's table maps each id to a method.

# Stratum v1, client -> pool
200:/"method"\s*:\s*"mining\.subscribe"/
201:/"method"\s*:\s*"mining\.authorize"/
202:/"method"\s*:\s*"mining\.submit"/
203:/"method"\s*:\s*"mining\.configure"/
204:/"method"\s*:\s*"mining\.extranonce\.subscribe"/
205:/"method"\s*:\s*"mining\.suggest_difficulty"/
206:/"method"\s*:\s*"mining\.get_transactions"/
207:/"method"\s*:\s*"mining\.suggest_target"/
# Stratum v1, pool -> client
210:/"method"\s*:\s*"mining\.notify"/
211:/"method"\s*:\s*"mining\.set_difficulty"/
212:/"method"\s*:\s*"mining\.set_target"/
213:/"method"\s*:\s*"mining\.set_extranonce"/
214:/"method"\s*:\s*"client\.reconnect"/

# CryptoNote / XMRig (Monero pools), client -> pool
230:/"method"\s*:\s*"login"/
231:/"method"\s*:\s*"submit"/
232:/"method"\s*:\s*"keepalived"/
233:/"method"\s*:\s*"getjob"/
# ... and pool -> client: a new job, or the login reply carrying one
235:/"method"\s*:\s*"job"/
236:/"job"\s*:\s*\{\s*"blob"\s*:/
# XMRig-only keys that make the dialect certain
237:/"agent"\s*:\s*"(XMRig|xmr-stak|xmrig)/i

# EthProxy / Ethereum stratum (getWork style over a TCP socket)
240:/"method"\s*:\s*"eth_submitLogin"/
241:/"method"\s*:\s*"eth_getWork"/
242:/"method"\s*:\s*"eth_submitWork"/
243:/"method"\s*:\s*"eth_submitHashrate"/
# ... and the pool's work package (header hash, seed hash, boundary), the
# answer to eth_getWork and the pushed new job alike: counted as a job
244:/"result"\s*:\s*\[\s*"0x[0-9a-fA-F]{64}"\s*,\s*"0x[0-9a-fA-F]{64}"/

# getwork / getblocktemplate / submitblock over HTTP
250:/"method"\s*:\s*"getwork"/
251:/"method"\s*:\s*"getblocktemplate"/
252:/"method"\s*:\s*"submitblock"/

# HTTP headers a getwork pool or miner sends to advertise stratum and
# mining extensions (ET 2017960, 2016758)
260:/\r\nX-Stratum\s*:/i
261:/\r\nX-Mining-Extensions\s*:/i
