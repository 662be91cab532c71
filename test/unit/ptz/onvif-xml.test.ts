import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { childOf, childText, parseXml, XmlError } from '../../fixtures/onvif/xml.ts';

describe('the ONVIF simulator reads XML for real', () => {
  it('resolves namespaces by prefix and default, decodes entities and CDATA, skips comments', () => {
    const root = parseXml(
      '<?xml version="1.0"?><!-- hello --><s:Envelope xmlns:s="urn:soap" xmlns:a="urn:a">' +
        '<s:Body><Op xmlns="urn:op"><Token>a&amp;b&lt;c&#x21;&#33;</Token><a:X k=\'1 &gt; 0\'/>' +
        '<Note><![CDATA[<raw>]]></Note></Op></s:Body></s:Envelope>',
    );
    assert.equal(root.name, 'Envelope');
    assert.equal(root.ns, 'urn:soap');
    const op = childOf(root, 'Body', 'urn:soap')?.children[0];
    assert.equal(op?.name, 'Op');
    assert.equal(op?.ns, 'urn:op');
    assert.equal(childText(op, 'Token'), 'a&b<c!!');
    assert.equal(childOf(op, 'X')?.ns, 'urn:a');
    assert.deepEqual(childOf(op, 'X')?.attrs, { k: '1 > 0' });
    assert.equal(childText(op, 'Note'), '<raw>');
    assert.equal(childOf(op, 'Token', 'urn:other'), undefined, 'the namespace is part of the match');
  });

  it('refuses documents a camera would refuse', () => {
    for (const bad of [
      '<a><b></a></b>',
      '<x:a/>',
      '<a>&nbsp;</a>',
      '<!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>',
      '<a b=1/>',
      '<a/><b/>',
      '<a>',
    ]) {
      assert.throws(() => parseXml(bad), XmlError, bad);
    }
  });
});
