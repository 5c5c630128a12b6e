// Package wc counts words. Implement it as the task statement describes.
package wc
