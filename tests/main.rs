mod placeholder {}
mod cf_docs;
mod cf_edge;
mod cf_peer;
mod cf_prop;
