const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });

export function isUtf8(bytes: Uint8Array): boolean {
	try {
		STRICT_UTF8.decode(bytes);
		return true;
	} catch {
		return false;
	}
}

/** The lines (1-based, split at LF, which no multi-byte character contains) that are not valid UTF-8. */
export function linesNotUtf8(bytes: Buffer): number[] {
	const lines: number[] = [];
	for (let start = 0, line = 1; start <= bytes.length; line++) {
		const newline = bytes.indexOf(0x0a, start);
		const end = newline < 0 ? bytes.length : newline;
		if (!isUtf8(bytes.subarray(start, end))) lines.push(line);
		start = end + 1;
	}
	return lines;
}
