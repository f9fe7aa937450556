# milter-bench-summary.awk - the summary tables of run-milter-bench.sh,
# from bench_milter's rows (label#round conc msgs secs msg/s p50 p99 max
# cpu_us mta_us rss_kb accept reject tempf other errors).
#
#   awk -v levels=1,20,100 -v variants=on,nospf,... -f THIS results.txt
#
# A label's rounds are averaged (msg/s, p50, CPU), p99 and RSS are their
# maximum. repmilter's variants are labelled repmilter/SOCKET (on) and
# rep-VARIANT/SOCKET; a check's CPU is "on" minus the variant without it,
# with the range of that difference over the rounds; what the DKIM key
# cache saves is "nokeycache" minus "on".

# take - one row into the sums of its label (and of its round)
function take(   lr, k, r) {
	split($1, lr, "#")
	k = lr[1] "@" $2
	r = lr[2] == "" ? 1 : lr[2]
	n[k]++
	rate[k] += $5
	rrate[k "#" r] = $5
	rounds[r] = 1
	p50[k] += $6
	if (!(k in p99) || $7 + 0 > p99[k] + 0)
		p99[k] = $7
	if ($9 != "-") {
		cpu[k] += $9
		ncpu[k]++
		rcpu[k "#" r] = $9
	}
	if (!(k in rss) || $11 + 0 > rss[k] + 0)
		rss[k] = $11
	errs[k] += $16
	if ($1 ~ /^rep/)
		haverep = 1
}

{ take() }

# label - the label of a repmilter variant on a socket
function label(v, sock) {
	return (v == "on" ? "repmilter" : "rep-" v) "/" sock
}

# mrate, mcpu - means, or -1 when unknown
function mrate(k) { return k in n ? rate[k] / n[k] : -1 }
function mcpu(k) { return ncpu[k] > 0 ? cpu[k] / ncpu[k] : -1 }

# cell - msg/s p50/p99 cpu rss of a label
function cell(k) {
	if (!(k in n))
		return sprintf("%-39s", "-")
	return sprintf("%8.0f %7.3f/%-8s %6.0f %6s", mrate(k), p50[k] / n[k],
		p99[k], mcpu(k), rss[k])
}

# ratio - msg/s of r over msg/s of b: of the means, and the range of the
# ratios of each round
function ratio(r, b,   x, lo, hi, cnt, q) {
	if (mrate(r) < 0 || mrate(b) <= 0)
		return "-"
	cnt = 0
	for (x in rounds)
		if ((r "#" x) in rrate && rrate[b "#" x] > 0) {
			q = rrate[r "#" x] / rrate[b "#" x]
			if (cnt == 0 || q < lo)
				lo = q
			if (cnt == 0 || q > hi)
				hi = q
			cnt++
		}
	if (cnt < 2)
		return sprintf("%.2f", mrate(r) / mrate(b))
	return sprintf("%.2f (%.2f..%.2f)", mrate(r) / mrate(b), lo, hi)
}

# diff - "on minus off" CPU, mean and range over rounds, into a cell
function diff(on, off,   r, d, lo, hi, cnt) {
	if (mcpu(on) < 0 || mcpu(off) < 0)
		return sprintf("%-15s", "-")
	cnt = 0
	for (r in rounds)
		if ((on "#" r) in rcpu && (off "#" r) in rcpu) {
			d = rcpu[on "#" r] - rcpu[off "#" r]
			if (cnt == 0 || d < lo)
				lo = d
			if (cnt == 0 || d > hi)
				hi = d
			cnt++
		}
	d = mcpu(on) - mcpu(off)
	dsum[off] += d
	dn[off]++
	if (cnt < 2)
		return sprintf("%-15s", sprintf("%.0f", d))
	return sprintf("%-15s", sprintf("%.0f (%.0f..%.0f)", d, lo, hi))
}

# main_table - null against repmilter with every check on
function main_table(   s, i, sock, nk, rk) {
	printf "%-6s %5s | %-39s | %-39s | %s\n", "socket", "conc",
		"null: msg/s p50/p99 cpu rss",
		"repmilter: msg/s p50/p99 cpu rss", "rep/null (range)"
	for (s = 1; s <= 2; s++) {
		sock = s == 1 ? "unix" : "inet"
		for (i = 1; i <= nl; i++) {
			nk = "null/" sock "@" lv[i]
			rk = label("on", sock) "@" lv[i]
			printf "%-6s %5s | %s | %s | %s\n", sock, lv[i],
				cell(nk), cell(rk), ratio(rk, nk)
		}
	}
}

# rate_table - msg/s of each variant, and its ratio to the null filter
function rate_table(   s, i, j, sock, k, nk) {
	printf "\nrepmilter by variant: msg/s (ratio to the null filter; range " \
		"of the ratio over rounds)\n"
	printf "%-6s %5s |", "socket", "conc"
	for (j = 1; j <= nv; j++)
		printf " %-23s", va[j]
	printf "\n"
	for (s = 1; s <= 2; s++) {
		sock = s == 1 ? "unix" : "inet"
		for (i = 1; i <= nl; i++) {
			nk = "null/" sock "@" lv[i]
			printf "%-6s %5s |", sock, lv[i]
			for (j = 1; j <= nv; j++) {
				k = label(va[j], sock) "@" lv[i]
				printf " %-23s", mrate(k) < 0 ? "-" : \
					sprintf("%.0f %s", mrate(k), ratio(k, nk))
			}
			printf "\n"
		}
	}
}

# cpu_table - CPU of each variant, and what each check costs
function cpu_table(   s, i, j, sock, on, k) {
	printf "\nrepmilter CPU us/msg by variant, and per check (on minus " \
		"the check off; mean, range over rounds)\n"
	printf "%-6s %5s |", "socket", "conc"
	for (j = 1; j <= nv; j++)
		printf " %7s", va[j]
	printf " | %-15s %-15s %-15s %-15s %s\n", "SPF", "DKIM", "DMARC",
		"all three", "key cache saves"
	for (s = 1; s <= 2; s++) {
		sock = s == 1 ? "unix" : "inet"
		for (i = 1; i <= nl; i++) {
			on = label("on", sock) "@" lv[i]
			printf "%-6s %5s |", sock, lv[i]
			for (j = 1; j <= nv; j++) {
				k = label(va[j], sock) "@" lv[i]
				printf " %7s", mcpu(k) < 0 ? "-" : \
					sprintf("%.0f", mcpu(k))
			}
			printf " | %s %s %s %s %s\n",
				diff(on, label("nospf", sock) "@" lv[i]),
				diff(on, label("nodkim", sock) "@" lv[i]),
				diff(on, label("nodmarc", sock) "@" lv[i]),
				diff(on, label("noauth", sock) "@" lv[i]),
				diff(label("nokeycache", sock) "@" lv[i], on)
		}
	}
}

# cpu_means - each check's difference, averaged over sockets and levels
function cpu_means(   k, v, name, out) {
	out = ""
	split("nospf SPF nodkim DKIM nodmarc DMARC noauth all-three", name, " ")
	for (v = 1; v <= 8; v += 2)
		for (k in dn)
			if (index(k, "rep-" name[v] "/") == 1) {
				msum[name[v + 1]] += dsum[k] / dn[k]
				mn[name[v + 1]]++
			}
	for (v = 2; v <= 8; v += 2)
		if (mn[name[v]] > 0)
			out = out sprintf(" %s %.0f", name[v],
				msum[name[v]] / mn[name[v]])
	if (out != "")
		printf "mean over sockets and levels, us/msg:%s\n", out
}

# peer_table - the peer (OpenDKIM) beside the null filter and repmilter
function peer_table(   s, i, sock, nk, rk, pk) {
	printf "\n%s (verifying DKIM only) and repmilter (every check), " \
		"each against the null filter: msg/s ratio (range), CPU us/msg\n",
		peer
	printf "%-6s %5s | %-31s | %-31s\n", "socket", "conc", peer,
		"repmilter"
	for (s = 1; s <= 2; s++) {
		sock = s == 1 ? "unix" : "inet"
		for (i = 1; i <= nl; i++) {
			nk = "null/" sock "@" lv[i]
			pk = peer "/" sock "@" lv[i]
			rk = label("on", sock) "@" lv[i]
			printf "%-6s %5s | %-24s %6s | %-24s %6s\n", sock, lv[i],
				ratio(pk, nk), mcpu(pk) < 0 ? "-" : \
				sprintf("%.0f", mcpu(pk)), ratio(rk, nk),
				mcpu(rk) < 0 ? "-" : sprintf("%.0f", mcpu(rk))
		}
	}
}

# nagle - the TCP stall check
function nagle(   m, i, names, k) {
	printf "\nNagle check, TCP at concurrency 1 (a 40 ms " \
		"delayed-ACK stall shows as p50 >= 40 ms):\n"
	m = split("null/inet nagle/inet-naive nagle/inet-nodelay " \
		"repmilter/inet", names, " ")
	for (i = 1; i <= m; i++) {
		k = names[i] "@1"
		if (k in n)
			printf "  %-20s p50 %.3f ms\n", names[i], p50[k] / n[k]
	}
}

# errors - every label and level that had failed messages
function errors(   k) {
	for (k in errs)
		if (errs[k] > 0)
			printf "errors: %s %d messages failed\n", k, errs[k]
}

END {
	nl = split(levels, lv, ",")
	nv = split(variants, va, ",")
	main_table()
	if (haverep && (nv > 1 || va[1] != "on")) {
		rate_table()
		cpu_table()
		cpu_means()
	}
	if (peer != "")
		peer_table()
	nagle()
	errors()
}
