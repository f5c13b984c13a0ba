#!/usr/bin/env python3
"""Compares every school's manifest counts (bulk output) with the
expected.json the generator wrote for it.

    python3 benches/check_expected.py GEN_DIR BULK_OUT

Prints the schools that differ and exits 1 when any does."""
import json,sys,os
g,o=sys.argv[1],sys.argv[2]
bad=0;n=0
for code in sorted(os.listdir(g+'/locale')):
    e=json.load(open(f'{g}/locale/{code}/expected.json'))
    mp=f'{o}/{code}/manifest.json'
    if not os.path.exists(mp):
        print(code,'NO PACKAGE');bad+=1;continue
    m=json.load(open(mp))
    n+=1
    ec=e['counts']; mc=m['counts']
    diffs=[]
    for sec in ('ops','review'):
        for k,v in ec[sec].items():
            if mc[sec].get(k,0)!=v: diffs.append(f'{sec}.{k}: exp {v} got {mc[sec].get(k,0)}')
        for k,v in mc[sec].items():
            if k not in ec[sec] and v: diffs.append(f'{sec}.{k}: exp - got {v}')
    if ec['excluded_records']!=mc['excluded_records']: diffs.append(f"excluded exp {ec['excluded_records']} got {mc['excluded_records']}")
    if diffs:
        bad+=1; print(code, e['form'], e['encoding'], diffs)
print(f'{n} schools compared, {bad} differ')
sys.exit(1 if bad else 0)
