/**
 * Entry names come from the archive and response paths from its records: both are untrusted.
 * Normalise them the same way so a record's `path` finds its entry, and refuse anything that
 * could point outside the archive if someone extracted it.
 */
export function normalisePath(name: string): string {
	return name.replace(/\\/g, '/').replace(/^(\.\/)+/, '');
}

export function isUnsafePath(normalised: string): boolean {
	return (
		normalised.startsWith('/') ||
		/^[a-zA-Z]:/.test(normalised) ||
		normalised.split('/').some((segment) => segment === '..') ||
		normalised.includes('\0')
	);
}

export function baseName(path: string): string {
	return path.slice(path.lastIndexOf('/') + 1);
}
