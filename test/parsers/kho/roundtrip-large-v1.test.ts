// One million blocks of orders 0..18, laid out the way a buddy allocator hands them out: the decoder returns
// exactly the blocks that built them (decoding alone is timed by bench/kho-decode.ts).
import { describeLargeRoundTrip } from './helpers.js';

describeLargeRoundTrip([
  ['kho-v1', '512'],
  ['kho-v1', 'page'],
]);
