mod placeholder {}
mod read;
