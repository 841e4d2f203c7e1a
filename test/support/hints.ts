/** The archive errors' descriptions, written out by hand: what a user is told to do. */
export const RUN_AGAIN = 'The download was probably cut short or corrupted. Run the node again to download a fresh copy.';
export const DAMAGED = 'The download was probably damaged. Run the node again to download a fresh copy.';
export const SIZE_HINT = "Raise the node's 'Max Archive Size' option if this batch really is that large.";
export const UNSAFE_HINT =
	'Prolific never writes such names: the archive did not come from Prolific intact. Nothing was extracted; check where the download URL points.';
export const JSONL_HINT =
	'Prolific writes one JSON object per line. Run the node again for a fresh export; if it happens again, report the batch ID to Prolific support.';
export const REPEATED_HINT =
	'Prolific writes each file once, so one of them would be lost. Run the node again to download a fresh copy; if it happens again, report the batch ID to Prolific support.';
