mod placeholder {}
mod sync;
