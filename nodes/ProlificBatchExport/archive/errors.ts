/**
 * A problem with the export archive itself. `hint` tells the user what to do; the node turns
 * this into an n8n error, so the reader stays free of n8n and HTTP.
 */
export class ArchiveError extends Error {
	constructor(
		message: string,
		readonly hint: string,
	) {
		super(message);
		this.name = 'ArchiveError';
	}
}
