// The progress stage of the native-detail levels (its own module: the CLI names it without
// loading the pipeline).
export const DETAIL_STAGE = 'refining detail';
