const { src, dest, task } = require('gulp');

// Icons and codex files next to their compiled sources: nodes/X/*.{png,svg,json} -> dist/nodes/X/,
// credentials/*.{png,svg} -> dist/credentials/. `encoding: false` keeps PNGs byte-exact (gulp 5
// reads files as UTF-8 text by default).
function copyAssets() {
	return src(['nodes/**/*.{png,svg,json}', 'credentials/**/*.{png,svg}'], {
		base: '.',
		encoding: false,
	}).pipe(dest('dist'));
}

task('build:assets', copyAssets);
