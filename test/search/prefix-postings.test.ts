import { suite } from 'uvu'
import { FlexPrefixPostings } from '../../src/search/prefix-postings.js'
import { prefixPostingsCases } from './prefix-postings.cases.js'
import { ScanPrefixPostings } from './scan-prefix-postings.js'

const test = suite('src/search/prefix-postings.ts')

prefixPostingsCases(test, 'FlexSearch', () => new FlexPrefixPostings())
prefixPostingsCases(test, 'brute-force scan', () => new ScanPrefixPostings())

test.run()
