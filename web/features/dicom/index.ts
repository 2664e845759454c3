export { PrepareDecoders, type PrepareDecodersProps } from './PrepareDecoders.tsx';
